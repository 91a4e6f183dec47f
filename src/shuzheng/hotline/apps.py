"""Django app configuration (app label "hotline")."""

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "shuzheng.hotline"
    label = "hotline"
    verbose_name = "hotline"

    def ready(self) -> None:
        from shuzheng.hotline import metrics  # 12345 figures for 一网统管 (core.metrics_registry)

        metrics.register()
