"""The 12345 analysis dashboard's pages (included at ``/hotline/dashboard/`` from
shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.hotline import views_dashboard

app_name = "hotline_dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_dashboard.index, name="index"),
    path("reports/weekly.<str:fmt>", views_dashboard.weekly_report, name="weekly_report"),
]
