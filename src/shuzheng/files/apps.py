from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "shuzheng.files"
    label = "files"
    verbose_name = "文件 (files)"

    def ready(self) -> None:
        # registers the deployment check of UPLOAD_SCANNER (``manage.py check``)
        from shuzheng.files import scanners  # noqa: F401
