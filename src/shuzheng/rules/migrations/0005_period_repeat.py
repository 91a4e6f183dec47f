"""A benefit that may be received again and again (``repeat``: 失业保险金, each spell of
unemployment) is not recorded in the entitlement register. For a database that ran 0004 before
this choice existed: the seed's period is set and such rows are ended (historical models, no
audit record, as the seeds)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    from django.utils import timezone

    from shuzheng.rules.seed import seed_specs

    RuleSet = apps.get_model("rules", "RuleSet")
    Entitlement = apps.get_model("rules", "Entitlement")
    repeat = [s["code"] for s in seed_specs() if s.get("period") == "repeat"]
    RuleSet.objects.filter(code__in=repeat, period="once").update(period="repeat")
    codes = list(RuleSet.objects.filter(period="repeat").values_list("code", flat=True))
    Entitlement.objects.filter(rule_set_code__in=codes, status__in=["offered", "held"]).update(
        status="ended", ended_at=timezone.now(), end_reason="可多次享受的待遇，不登记"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('rules', '0004_entitlements_backfill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ruleset',
            name='period',
            field=models.CharField(choices=[('once', '每人（每企业）一次'), ('year', '每年一次'), ('repeat', '可多次享受（不登记）')], default='once', max_length=8, verbose_name='享受周期'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
