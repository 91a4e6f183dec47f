from django.urls import path

from shuzheng.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("messages/", views.inbox, name="messages"),
    path("apply/bundle/<str:code>/", views.apply_bundle, name="apply_bundle"),
    path("apply/<str:item_code>/", views.apply_item, name="apply"),
    path("<str:case_no>/", views.case_page, name="detail"),
    path("<str:case_no>/edit/", views.edit_draft, name="edit"),
    path("<str:case_no>/resubmit/", views.resubmit, name="resubmit"),
    path("<str:case_no>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:case_no>/files/<str:file_id>/", views.material_file, name="material"),
]
