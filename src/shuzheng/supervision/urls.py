"""URL patterns of this module's pages (include them from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = []
