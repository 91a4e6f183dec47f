"""JSON API: a django-ninja router, mounted in shuzheng/api/router.py."""

from ninja import Router

router = Router(tags=["documents"])
