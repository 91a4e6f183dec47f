"""``Case.due_date_provisional``: the due date was counted across a year whose holidays are not
official (its 调休 notice not entered). Unfinished cases whose count crosses such a year are
marked now (their dates were counted Monday–Friday there); entering the year's notice recounts
them."""

from django.db import migrations, models

_UNFINISHED = ("in_progress", "correction", "suspended", "approved", "denied")


def mark_provisional(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CalendarYear = apps.get_model("core", "CalendarYear")
    official = set(CalendarYear.objects.filter(status="official").values_list("year", flat=True))
    marked = []
    rows = Case.objects.filter(
        status__in=_UNFINISHED, accepted_on__isnull=False, due_date__isnull=False
    ).only("id", "accepted_on", "due_date")
    for case in rows.iterator(chunk_size=2000):
        years = range(case.accepted_on.year, case.due_date.year + 1)
        if any(y not in official for y in years):
            marked.append(case.id)
    for i in range(0, len(marked), 500):
        Case.objects.filter(id__in=marked[i : i + 500]).update(due_date_provisional=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_single_column_indexes_without_like_twins"),
        ("core", "0006_calendaryear_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="due_date_provisional",
            field=models.BooleanField(default=False, verbose_name="按暂定日历计算"),
        ),
        migrations.RunPython(mark_provisional, migrations.RunPython.noop),
    ]
