from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "shuzheng.rules"
    label = "rules"
    verbose_name = "决策规则 (rules)"
