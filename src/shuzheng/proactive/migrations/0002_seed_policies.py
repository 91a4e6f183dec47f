"""Seed the demo 免申即享 policies (data/policies.json); ``shuzheng seed_policies`` adds missing
ones later (audited)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from shuzheng.proactive.seed import load

    load(apps.get_model("proactive", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("proactive", "0001_initial"), ("rules", "0002_seed_rule_sets")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
