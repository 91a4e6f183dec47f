"""Django app configuration (app label "reporting")."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "shuzheng.reporting"
    label = "reporting"
    verbose_name = "填表报数 (reporting)"
