"""Django app configuration (app label "governance")."""

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "shuzheng.governance"
    label = "governance"
    verbose_name = "一网统管 (governance)"
