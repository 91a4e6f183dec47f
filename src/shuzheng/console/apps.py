from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "shuzheng.console"
    label = "console"
    verbose_name = "管理控制台 (console)"
