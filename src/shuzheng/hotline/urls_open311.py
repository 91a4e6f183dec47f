"""Open311 GeoReport v2 (``open311.py``), mounted at ``/open311/v2/`` by shuzheng/urls.py."""

from django.urls import URLPattern, re_path

from shuzheng.hotline import open311

app_name = "open311"

urlpatterns: list[URLPattern] = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services_list, name="services"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests_view, name="requests"),
    re_path(
        r"^requests/(?P<request_id>[0-9A-Za-z-]{1,32})\.(?P<fmt>json|xml)$",
        open311.request_one,
        name="request",
    ),
]
