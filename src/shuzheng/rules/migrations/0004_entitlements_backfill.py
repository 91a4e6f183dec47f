"""The seed rule sets' periods, and the register filled from what counted as held before it:
every approved 秒批 decision of a benefit (the first one per benefit, subject and period — a
later duplicate, the defect this register closes, stays a decision only). The 免申即享 grants
are registered by proactive's migration. Like the seeds, historical models and no audit record.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from shuzheng.rules.seed import seed_specs

    RuleSet = apps.get_model("rules", "RuleSet")
    Decision = apps.get_model("rules", "Decision")
    Entitlement = apps.get_model("rules", "Entitlement")
    for spec in seed_specs():
        if spec.get("period", "once") != "once":
            RuleSet.objects.filter(code=spec["code"]).update(period=spec["period"])
    periods = dict(RuleSet.objects.values_list("code", "period"))
    seen = set(
        Entitlement.objects.filter(status__in=["offered", "held"]).values_list(
            "benefit", "subject_kind", "subject_id", "period_key"
        )
    )
    rows = (
        Decision.objects.filter(context="instant", outcome="approve")
        .exclude(benefit="")
        .order_by("id")
    )
    for d in rows.iterator():
        if periods.get(d.rule_set_code) == "repeat":  # received again and again: not recorded
            continue
        period = str(d.as_of.year) if periods.get(d.rule_set_code) == "year" else "once"
        key = (d.benefit, d.subject_kind, d.subject_id, period)
        if key in seen:
            continue
        seen.add(key)
        Entitlement.objects.create(
            benefit=d.benefit,
            subject_kind=d.subject_kind,
            subject_id=d.subject_id,
            period_key=period,
            status="held",
            source="instant",
            reference=f"decision:{d.decision_id}",
            rule_set_code=d.rule_set_code,
            decision_id=d.decision_id,
            amount=d.amount,
            granted_at=d.decided_at,
        )


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_entitlements")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
