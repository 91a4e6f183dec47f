from django.contrib import admin
from django.urls import include, path

from shuzheng.api.router import api
from shuzheng.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("shuzheng.identity.urls")),
    path("workbench/", include("shuzheng.workbench.urls")),
    path("", include("shuzheng.portal.urls")),
]
