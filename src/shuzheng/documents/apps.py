"""Django app configuration (app label "documents")."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "shuzheng.documents"
    label = "documents"
    verbose_name = "documents"
