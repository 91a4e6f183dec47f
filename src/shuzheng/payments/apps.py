"""Django app configuration (app label "payments")."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "shuzheng.payments"
    label = "payments"
    verbose_name = "缴费 (payments)"

    def ready(self) -> None:
        # the backends register themselves; cases (below) tells payments of its actions and
        # asks it before 办结 (an unpaid fee holds the case back)
        from shuzheng.cases import facade as cases
        from shuzheng.payments import demo, facade

        del demo
        cases.register_action_listener(facade.on_case_action)
        cases.register_close_gate(facade.close_gate)
