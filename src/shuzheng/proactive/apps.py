from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    name = "shuzheng.proactive"
    label = "proactive"
    verbose_name = "免申即享 (proactive)"
