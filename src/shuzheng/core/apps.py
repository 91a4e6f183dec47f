from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuzheng.core"
    label = "core"
    verbose_name = "基础 (core)"
