"""URL patterns of this module's pages (include them from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver

app_name = "governance"

urlpatterns: list[URLPattern | URLResolver] = []
