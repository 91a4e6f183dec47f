from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "shuzheng.seals"
    label = "seals"
    verbose_name = "电子印章 (seals)"
