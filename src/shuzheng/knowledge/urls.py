"""URL patterns of the 知识库's pages (included from shuzheng/urls.py under /knowledge/)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.knowledge import views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.faq, name="faq"),
    path("faq/<int:article_id>/", views.faq_article, name="faq_article"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:article_id>/", views.detail, name="detail"),
    path("manage/<int:article_id>/edit/", views.edit, name="edit"),
    path("manage/<int:article_id>/<str:action>/", views.act, name="act"),
    path("review/", views.review, name="review"),
]
