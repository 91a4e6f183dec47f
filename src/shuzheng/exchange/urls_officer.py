"""The data officers' desk (数据管理员工作台), mounted at ``/data/``."""

from django.urls import path

from shuzheng.exchange import views

app_name = "dataofficer"

urlpatterns = [
    path("", views.officer_home, name="home"),
    path("resources/", views.officer_resources, name="resources"),
    path("resources/<path:code>/", views.officer_resource, name="resource"),
    path("requests/", views.officer_requests, name="requests"),
    path("requests/new/", views.officer_request_new, name="request_new"),
    path("requests/<int:pk>/", views.officer_request, name="request"),
    path("quality/", views.officer_quality, name="quality"),
]
