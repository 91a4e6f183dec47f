from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shuzheng.audit"
    label = "audit"
    verbose_name = "审计 (audit)"
