from django.urls import path

from shuzheng.proactive import views

app_name = "proactive"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:match_id>/<str:action>/", views.respond, name="respond"),
    path("<slug:code>/", views.policy_detail, name="detail"),
    path("<slug:code>/run/", views.policy_run, name="run"),
]
