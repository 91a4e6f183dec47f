"""Where uploads and licence PDFs are kept (settings ``STORAGES["default"]``, read through
``default_storage``; docs/deploy/storage-and-replicas.md): the local disk under
``SHUZHENG_MEDIA_ROOT`` (``SHUZHENG_STORAGE=local``, the default), or an S3-compatible object
store through django-storages (``SHUZHENG_STORAGE=s3``), so that every web node and worker reads
the same files. Imported by settings: Django only, no models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def default_storage_config(env: Mapping[str, str]) -> dict[str, Any]:
    """``STORAGES["default"]`` from the environment ``env``."""
    kind = env.get("SHUZHENG_STORAGE", "local")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"SHUZHENG_STORAGE must be local or s3, not {kind!r}")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.get("SHUZHENG_S3_BUCKET", "shuzheng"),
            "endpoint_url": env.get("SHUZHENG_S3_ENDPOINT_URL") or None,  # None: AWS
            "region_name": env.get("SHUZHENG_S3_REGION") or None,
            # None: boto3's own chain (AWS_* variables, instance profile, ~/.aws)
            "access_key": env.get("SHUZHENG_S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get("SHUZHENG_S3_SECRET_ACCESS_KEY") or None,
            "location": env.get("SHUZHENG_S3_PREFIX", ""),  # a key prefix inside the bucket
            # path-style URLs (http://host/bucket/key): what MinIO, Ceph RGW and most
            # on-premises stores expect; "virtual" for hosted stores that want bucket.host
            "addressing_style": env.get("SHUZHENG_S3_ADDRESSING", "path"),
            "signature_version": "s3v4",
            "default_acl": "private",
            "file_overwrite": False,  # a name taken gets another one, never new bytes
            "querystring_auth": True,
        },
    }
