"""Pages of the 公文库 under /documents/ (included from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search, name="search"),
    path("<int:doc_id>/", views.detail, name="detail"),
    path("upload/", views.upload, name="upload"),
    path("compose/", views.compose, name="compose"),
    path("verify/", views.verify, name="verify"),
    path("<int:doc_id>/pdf/", views.pdf, name="pdf"),
]
