"""Database migrations (shuzheng makemigrations reporting)."""
