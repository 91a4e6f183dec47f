"""Database migrations (shuzheng makemigrations hotline)."""
