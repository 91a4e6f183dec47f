from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "shuzheng.workbench"
    label = "workbench"
    verbose_name = "工作台 (workbench)"

    def ready(self) -> None:
        from shuzheng.core import links
        from shuzheng.workbench.views_city import ticket_actions

        # 12345 ticket → 城市管理事件 (hotline and governance may not import each other)
        links.register_actions("hotline.ticket", "workbench.city", ticket_actions)
