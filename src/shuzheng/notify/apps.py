from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "shuzheng.notify"
    label = "notify"
    verbose_name = "消息 (notify)"

    def ready(self) -> None:
        # the real SMS gateways register themselves as core.sms backends (aliyun, tencent)
        from shuzheng.notify import sms_gateways  # noqa: F401
