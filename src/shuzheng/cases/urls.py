from django.urls import path

from shuzheng.cases import views, views_documents

# the citizen case page links the case's printed notices (受理通知书 …)
views.register_case_panel(views_documents.notices_panel)

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("messages/", views.inbox, name="messages"),
    path("progress/", views_documents.progress_page, name="progress"),  # before <case_no>/
    path("apply/bundle/<str:code>/", views.apply_bundle, name="apply_bundle"),
    path("apply/<str:item_code>/", views.apply_item, name="apply"),
    path("<str:case_no>/", views.case_page, name="detail"),
    path("<str:case_no>/edit/", views.edit_draft, name="edit"),
    path("<str:case_no>/resubmit/", views.resubmit, name="resubmit"),
    path("<str:case_no>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:case_no>/discard/", views.discard, name="discard"),
    path("<str:case_no>/notices/<str:kind>.pdf", views_documents.notice_page, name="notice"),
    path("<str:case_no>/files/<str:file_id>/", views.material_file, name="material"),
]
