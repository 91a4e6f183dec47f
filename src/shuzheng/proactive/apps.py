from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    name = "shuzheng.proactive"
    label = "proactive"
    verbose_name = "免申即享 (proactive)"
    # the benefits it grants count as held through the rules' entitlement register (granting
    # writes it), so this module registers no ``benefits`` contributor of its own
