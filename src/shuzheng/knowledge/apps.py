"""Django app configuration (app label "knowledge")."""

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "shuzheng.knowledge"
    label = "knowledge"
    verbose_name = "知识库 (knowledge)"
