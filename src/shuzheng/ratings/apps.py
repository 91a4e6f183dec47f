from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "shuzheng.ratings"
    label = "ratings"
    verbose_name = "好差评 (ratings)"
