"""On PostgreSQL, a BRIN index on the readings' time (tiny, fits append-mostly time series: a
range of ``at`` across all indicators, the retention sweep); SQLite does without."""

from django.db import migrations

SQL = "CREATE INDEX IF NOT EXISTS governance_reading_at_brin ON governance_reading USING brin (at)"
REVERSE = "DROP INDEX IF EXISTS governance_reading_at_brin"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
