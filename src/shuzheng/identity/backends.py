"""Authentication backend: Django's model backend, refusing locked accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


class LockoutAwareBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        locked_until = getattr(user, "locked_until", None)
        if locked_until and locked_until > timezone.now():
            return False
        return super().user_can_authenticate(user)
