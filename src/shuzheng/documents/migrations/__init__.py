"""Database migrations (shuzheng makemigrations documents)."""
