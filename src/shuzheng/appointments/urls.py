"""URL patterns of 预约办理's pages (included from shuzheng/urls.py under /appointments/)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.appointments import views

app_name = "appointments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("book/<str:item_code>/", views.book, name="book"),
    path("desk/", views.desk, name="desk"),
    path("desk/<str:no>/<str:action>/", views.desk_act, name="desk_act"),
    path("<str:no>/", views.detail, name="detail"),
    path("<str:no>/cancel/", views.cancel, name="cancel"),
]
