from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shuzheng.catalog"
    label = "catalog"
    verbose_name = "事项中心 (catalog)"
