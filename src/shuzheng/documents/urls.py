"""URL patterns of this module's pages (include them from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = []
