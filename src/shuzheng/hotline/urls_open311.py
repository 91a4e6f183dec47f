"""Open311 GeoReport v2 (``open311.py``), mounted at ``/open311/v2/`` by shuzheng/urls.py.
``fmt`` is ``json`` or ``xml`` (anything else: 404)."""

from django.urls import URLPattern, path

from shuzheng.hotline import open311

app_name = "open311"

urlpatterns: list[URLPattern] = [
    path("services.<str:fmt>", open311.services_list, name="services"),
    path("requests.<str:fmt>", open311.requests_view, name="requests"),
    path("requests/<str:request_id>.<str:fmt>", open311.request_one, name="request"),
]
