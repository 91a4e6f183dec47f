from django.urls import path

from shuzheng.workbench import views, views_city

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("cases/<str:case_no>/", views.case_page, name="case"),
    path("cases/<str:case_no>/licence/", views.license_issue, name="licence_issue"),
    path("cases/<str:case_no>/files/<str:file_id>/", views.material_file, name="material"),
    path("cases/<str:case_no>/checks/", views.material_checks, name="checks"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path(
        "rectifications/<int:task_id>/reply/",
        views.rectification_reply,
        name="rectification_reply",
    ),
    path(
        "rectifications/<int:task_id>/callback/",
        views.rectification_callback,
        name="rectification_callback",
    ),
    path("metrics/", views.metrics, name="metrics"),
    path("city/from-ticket/<str:ticket_no>/", views_city.city_from_ticket, name="city_from_ticket"),
]
