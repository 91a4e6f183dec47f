from django.urls import path

from shuzheng.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("new/", views.rule_set_new, name="new"),
    path("decisions/<str:decision_id>/", views.decision_detail, name="decision"),
    path("<slug:code>/", views.rule_set_detail, name="detail"),
    path("<slug:code>/edit/", views.rule_set_edit, name="edit"),
    path("<slug:code>/test/", views.rule_set_test, name="test"),
    path("<slug:code>/publish/", views.rule_set_publish, name="publish"),
]
