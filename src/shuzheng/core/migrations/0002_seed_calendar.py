from django.db import migrations


def seed(apps, schema_editor):
    from shuzheng.core import calendar_seed

    calendar_seed.seed(
        apps.get_model("core", "CalendarDay"),
        apps.get_model("core", "CalendarYear"),
        provisional=False,  # this model has no status yet: 0006 seeds the provisional years
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
