"""Django app configuration (app label "supervision")."""

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shuzheng.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from shuzheng.documents.facade import register_related
        from shuzheng.supervision.selectors import related_tasks

        register_related("supervision", related_tasks)
