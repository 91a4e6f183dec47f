"""URL patterns of this module's pages (included at ``/hotline/`` from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.hotline import views, views_citizen

app_name = "hotline"

urlpatterns: list[URLPattern | URLResolver] = [
    # citizens (the portal's 12345 page)
    path("", views_citizen.home, name="home"),
    path("new/", views_citizen.new, name="new"),
    path("new/code/", views_citizen.send_code, name="send_code"),
    path("mine/", views_citizen.mine, name="mine"),
    path("mine/<str:ticket_no>/", views_citizen.mine_detail, name="mine_detail"),
    path("mine/<str:ticket_no>/rate/", views_citizen.rate, name="rate"),
    path("progress/", views_citizen.progress, name="progress"),
    path("r/<str:ref>/", views_citizen.rate_link, name="rate_link"),
    # the 12345 center and the departments
    path("console/", views.console, name="console"),
    path("console/kb/", views.kb_hits, name="kb_hits"),
    path("console/caller/", views.caller, name="caller"),
    path("tickets/", views.queue, name="queue"),
    path("tickets/<str:ticket_no>/", views.ticket, name="ticket"),
    path("tickets/<str:ticket_no>/act/", views.act, name="act"),
    path(
        "tickets/<str:ticket_no>/supervision/<int:n>.pdf",
        views.supervision_pdf,
        name="supervision_pdf",
    ),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("supervisor/", views.supervisor, name="supervisor"),
]
