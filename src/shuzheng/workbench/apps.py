from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "shuzheng.workbench"
    label = "workbench"
    verbose_name = "工作台 (workbench)"
