"""Django app configuration (app label "hotline")."""

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "shuzheng.hotline"
    label = "hotline"
    verbose_name = "hotline"
