"""Pages of payments, under /payments/ (included from shuzheng/urls.py)."""

from django.urls import path

from shuzheng.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.orders, name="orders"),
    path("orders/<str:order_no>/", views.order, name="order"),
    path("orders/<str:order_no>/pay/", views.pay, name="pay"),
    path("cashier/demo/<str:order_no>/", views.demo_cashier, name="demo_cashier"),
    path("receipts/<str:order_no>.pdf", views.receipt_pdf, name="receipt"),
]
