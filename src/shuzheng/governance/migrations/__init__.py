"""Database migrations (shuzheng makemigrations governance)."""
