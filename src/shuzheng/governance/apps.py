"""Django app configuration (app label "governance")."""

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "shuzheng.governance"
    label = "governance"
    verbose_name = "一网统管 (governance)"

    def ready(self) -> None:
        from shuzheng.core import links
        from shuzheng.governance.selectors.events import linked_to_ticket

        # the events made from a 12345 ticket, shown on the ticket's pages (hotline cannot
        # import governance: siblings in one layer)
        links.register_related("hotline.ticket", "governance.events", linked_to_ticket)
