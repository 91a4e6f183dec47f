from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    name = "shuzheng.proactive"
    label = "proactive"
    verbose_name = "免申即享 (proactive)"

    def ready(self) -> None:
        from shuzheng.proactive import selectors
        from shuzheng.rules import facade as rules

        class GrantedBenefits:
            """Benefits granted without application count as held (``has_benefit``)."""

            def items(self, kind: str, subject_id: str, fact: str) -> list[str]:
                return selectors.granted_benefits(kind, subject_id) if fact == "benefits" else []

            def all_items(self, kind: str, fact: str) -> dict[str, list[str]]:
                return selectors.granted_benefits_all(kind) if fact == "benefits" else {}

        rules.register_contributor("proactive.grants", GrantedBenefits())
