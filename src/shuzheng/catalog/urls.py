from django.urls import path

from shuzheng.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.search, name="search"),
    path("departments/", views.departments, name="departments"),
    path("item/<str:code>/", views.item_guide, name="item"),
    path("item/<str:code>/form/", views.item_form, name="item_form"),
    path("bundle/<str:code>/", views.bundle_guide, name="bundle"),
]
