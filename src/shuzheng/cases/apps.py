from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shuzheng.cases"
    label = "cases"
    verbose_name = "统一申办受理 (cases)"

    def ready(self) -> None:
        # files sits below cases: cases tells it who else may read a stored file (whoever
        # may see a case that uses it), as seals hands audit its anchor signer
        from shuzheng.cases import facade
        from shuzheng.files import facade as files

        files.register_read_grant(facade.file_read_grant)
