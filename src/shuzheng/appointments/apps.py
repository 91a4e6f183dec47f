"""Django app configuration (app label "appointments")."""

from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "shuzheng.appointments"
    label = "appointments"
    verbose_name = "预约办理 (appointments)"
