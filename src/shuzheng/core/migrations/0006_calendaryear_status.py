"""A calendar year's status (official / provisional), and the provisional years after the last
one ``chinese-calendar`` knows (2027–2030), from the ``holidays`` package. Existing years are
official; a year that already has a row (an administrator's) is left alone, and no existing day
is overwritten, so running it again adds nothing."""

from django.db import migrations, models


def seed_provisional(apps, schema_editor):
    from shuzheng.core import calendar_seed

    calendar_seed.seed_provisional(
        apps.get_model("core", "CalendarDay"), apps.get_model("core", "CalendarYear")
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0005_idempotent_request")]

    operations = [
        migrations.AddField(
            model_name="calendaryear",
            name="status",
            field=models.CharField(
                choices=[
                    ("official", "正式（已录入国务院办公厅通知）"),
                    ("provisional", "暂定（未录入调休通知）"),
                ],
                default="official",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(seed_provisional, migrations.RunPython.noop),
    ]
