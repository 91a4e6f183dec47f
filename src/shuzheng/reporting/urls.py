"""URL patterns of this module's pages (included at /reports/ from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.reporting import views

app_name = "reporting"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("design/", views.design, name="design"),
    path("admit/<str:code>/", views.admit, name="admit"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("tasks/<int:task_id>/fill/", views.fill, name="fill"),
    path("tasks/<int:task_id>/act/", views.act, name="act"),
    path("summary/<str:code>/<str:period>/", views.summary, name="summary"),
]
