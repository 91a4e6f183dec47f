from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "shuzheng.rules"
    label = "rules"
    verbose_name = "决策规则 (rules)"

    def ready(self) -> None:
        from shuzheng.rules import providers, selectors

        class HeldBenefits:
            """Benefits the register says a subject receives this period count as held
            (``has_benefit``): 秒批 approvals and 免申即享 grants alike."""

            def items(self, kind: str, subject_id: str, fact: str) -> list[str]:
                return selectors.held_benefits(kind, subject_id) if fact == "benefits" else []

            def all_items(self, kind: str, fact: str) -> dict[str, list[str]]:
                return selectors.held_benefits_all(kind) if fact == "benefits" else {}

        providers.register_contributor("rules.entitlements", HeldBenefits())
