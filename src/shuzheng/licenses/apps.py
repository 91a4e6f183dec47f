from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "shuzheng.licenses"
    label = "licenses"
    verbose_name = "电子证照 (licenses)"
