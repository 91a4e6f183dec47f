from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "shuzheng.files"
    label = "files"
    verbose_name = "文件 (files)"
