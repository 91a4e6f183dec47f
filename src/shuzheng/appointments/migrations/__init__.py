"""Database migrations (shuzheng makemigrations appointments)."""
