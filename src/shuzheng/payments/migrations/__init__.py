"""Database migrations (shuzheng makemigrations payments)."""
