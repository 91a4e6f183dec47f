from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shuzheng.api"
    label = "api"
    verbose_name = "开放接口 (api v1)"
