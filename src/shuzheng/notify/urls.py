from django.urls import path

from shuzheng.notify import views_sms

app_name = "notify"

urlpatterns = [
    path("report/<str:provider>/<str:token>/", views_sms.sms_report, name="sms_report"),
]
