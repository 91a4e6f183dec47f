from django.urls import path

from shuzheng.licenses import views

app_name = "licenses"

urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("verify/", views.verify, name="verify"),
    path("presentations/<str:nonce>/", views.presentation, name="presentation"),
    path("<str:license_id>/", views.detail, name="detail"),
    path("<str:license_id>/pdf", views.pdf, name="pdf"),
    path("<str:license_id>/present", views.present, name="present"),
]
