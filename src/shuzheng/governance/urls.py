"""Pages of 一网统管 under /city/ (included from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.governance import views

app_name = "governance"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.indicators, name="indicators"),
    path("indicators/<slug:code>/", views.series, name="series"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("alerts/<int:alert_id>/action/", views.alert_action, name="alert_action"),
]
