"""The demo 电子证照 resource (105001/000001) reads the licences module.

Databases seeded before the switch have the resource on the ``licences`` provider, which reads
a generated copy in ``RegistryRecord``. This points it at ``licences_module`` (the subject's
real e-licences, ``licenses.facade.exchange_record``) and deletes that demo copy, which nothing
reads any more (and which the quality report would otherwise count). The catalog's cache version
(``core.cache``) is bumped when its table exists, so every process reloads its cached catalog on
its next call. A resource whose provider was changed by hand is left alone. Backwards: the provider goes back to ``licences`` (the copy is not
regenerated).
"""

import secrets

from django.db import migrations
from django.utils import timezone

CODE = "105001/000001"
OLD_SUMMARY = "持证人持有的电子证照目录（由电子证照库提供，证照模块接入后实时提供）。"
NEW_SUMMARY = "持证人持有的有效电子证照（证照类型、证照编号），由电子证照库实时提供。"


def _catalog_changed(apps):
    """A new version of the cached catalog (``exchange.fastpath.CATALOG``). Before core's
    cache table exists no process has cached the catalog with a version: nothing to do."""
    try:
        version = apps.get_model("core", "CacheVersion")
    except LookupError:
        return
    version.objects.update_or_create(
        name="exchange.catalog", defaults={"version": secrets.randbits(62)}
    )


def forwards(apps, schema_editor):
    Resource = apps.get_model("exchange", "Resource")
    RegistryRecord = apps.get_model("exchange", "RegistryRecord")
    resource = Resource.objects.filter(code=CODE, provider="licences", is_demo=True).first()
    if resource is None:
        return
    resource.provider = "licences_module"
    if resource.summary == OLD_SUMMARY:
        resource.summary = NEW_SUMMARY
    resource.updated_at = timezone.now()
    resource.save(update_fields=["provider", "summary", "updated_at"])
    RegistryRecord.objects.filter(resource=resource, is_demo=True).delete()
    _catalog_changed(apps)


def backwards(apps, schema_editor):
    Resource = apps.get_model("exchange", "Resource")
    Resource.objects.filter(code=CODE, provider="licences_module", is_demo=True).update(
        provider="licences", updated_at=timezone.now()
    )
    _catalog_changed(apps)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
