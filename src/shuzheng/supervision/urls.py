"""Pages of 督查督办 under /supervision/ (included from shuzheng/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shuzheng.supervision import views

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("import/", views.plan_import, name="import"),
    path("export.xlsx", views.board_xlsx, name="board_xlsx"),
    path("print/", views.board_print, name="board_print"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("tasks/<int:task_id>/report/", views.report, name="report"),
    path("tasks/<int:task_id>/action/", views.action, name="action"),
    path("tasks/<int:task_id>/urge/", views.urge, name="urge"),
    path("urges/<int:urge_id>/reply/", views.reply, name="reply"),
    path("urges/<int:urge_id>/pdf/", views.urge_pdf, name="urge_pdf"),
]
