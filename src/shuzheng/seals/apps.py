from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "shuzheng.seals"
    label = "seals"
    verbose_name = "电子印章 (seals)"

    def ready(self) -> None:
        # audit (a lower layer) signs its anchors with the platform's key through this signer
        from shuzheng.audit import facade as audit
        from shuzheng.seals.anchoring import PlatformAnchorSigner

        audit.use_anchor_signer(PlatformAnchorSigner())
