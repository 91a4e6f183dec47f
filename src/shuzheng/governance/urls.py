"""Pages of 一网统管 under /city/ (included from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.governance import views, views_dashboard, views_events

app_name = "governance"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.indicators, name="indicators"),
    path("indicators/<slug:code>/", views.series, name="series"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("alerts/<int:alert_id>/action/", views.alert_action, name="alert_action"),
    path("command/", views_dashboard.command, name="command"),
    path("command/live/", views_dashboard.command_live, name="command_live"),
    path("plans/", views_dashboard.plans, name="plans"),
    path("plans/start/", views_dashboard.plan_start, name="plan_start"),
    path("plans/runs/<int:run_id>/", views_dashboard.plan_run, name="plan_run"),
    path(
        "plans/runs/<int:run_id>/steps/<int:step_id>/check/",
        views_dashboard.plan_step_check,
        name="plan_step_check",
    ),
    path("plans/runs/<int:run_id>/close/", views_dashboard.plan_close, name="plan_close"),
    path("patrol/", views_events.patrol, name="patrol"),
    path("events/", views_events.events, name="events"),
    path("events/<str:event_no>/", views_events.event, name="event"),
    path("events/<str:event_no>/act/", views_events.event_act, name="event_act"),
    path(
        "events/<str:event_no>/photos/<uuid:file_id>/",
        views_events.event_photo,
        name="event_photo",
    ),
]
