"""Database migrations (shuzheng makemigrations supervision)."""
