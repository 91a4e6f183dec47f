"""Seed the demo rule sets (data/rulesets.json), version 1 of each, published from 2026-01-01.

Like core's calendar seed, this uses the historical models and writes no audit record; later
edits go through the audited services. ``shuzheng seed_rules`` adds seed rule sets that are
missing (e.g. after a test flushed the tables).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from shuzheng.rules.seed import load

    load(apps.get_model("rules", "RuleSet"), apps.get_model("rules", "RuleVersion"), actor="system:migration")


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
