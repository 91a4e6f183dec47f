"""数字空间 pages, mounted at ``/dataspace/``."""

from django.urls import path

from shuzheng.exchange import views

app_name = "dataspace"

urlpatterns = [
    path("", views.space, name="home"),
    path("enterprise/<str:uscc>/", views.enterprise_space, name="enterprise"),
    path("consents/new/", views.consent_new, name="consent_new"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("corrections/new/", views.correction_new, name="correction_new"),
]
