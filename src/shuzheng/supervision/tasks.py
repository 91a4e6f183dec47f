"""Background tasks (django-tasks): take ids, idempotent, enqueued with on_commit."""
