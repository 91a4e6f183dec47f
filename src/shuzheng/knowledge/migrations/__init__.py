"""Database migrations (shuzheng makemigrations knowledge)."""
