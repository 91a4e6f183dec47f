from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "shuzheng.portal"
    label = "portal"
    verbose_name = "门户 (portal)"
