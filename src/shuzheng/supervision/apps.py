"""Django app configuration (app label "supervision")."""

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shuzheng.supervision"
    label = "supervision"
    verbose_name = "supervision"
