from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "shuzheng.notify"
    label = "notify"
    verbose_name = "消息 (notify)"
