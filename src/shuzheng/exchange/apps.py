from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "shuzheng.exchange"
    label = "exchange"
    verbose_name = "数据共享 (exchange)"
