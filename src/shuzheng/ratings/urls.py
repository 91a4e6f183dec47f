from django.urls import path

from shuzheng.ratings import views

app_name = "ratings"

urlpatterns = [path("<str:case_no>/rating/", views.rate, name="rate")]
