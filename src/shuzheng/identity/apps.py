from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "shuzheng.identity"
    label = "identity"
    verbose_name = "统一身份认证 (identity)"
