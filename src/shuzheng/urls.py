from django.contrib import admin
from django.urls import include, path, re_path

from shuzheng.api.router import api
from shuzheng.core.views import api_not_found, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("shuzheng.identity.urls")),
    path("workbench/", include("shuzheng.workbench.urls")),
    path("services/", include("shuzheng.catalog.urls")),
    path("", include("shuzheng.portal.urls")),
]
