"""Register the existing matches in the rules' entitlement register: granted → held, notified or
confirmed → offered (their notice holds the benefit's place), oldest first. A match whose
benefit is already live for its subject (an earlier 秒批 approval, the defect the register
closes) is left as it is: a pending one is re-checked and closed ``held`` when it is granted.
Historical models, no audit record (as the seeds)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Match = apps.get_model("proactive", "Match")
    RuleSet = apps.get_model("rules", "RuleSet")
    Decision = apps.get_model("rules", "Decision")
    Entitlement = apps.get_model("rules", "Entitlement")
    sets = {r.code: r for r in RuleSet.objects.all()}
    seen = set(
        Entitlement.objects.filter(status__in=["offered", "held"]).values_list(
            "benefit", "subject_kind", "subject_id", "period_key"
        )
    )
    rows = Match.objects.select_related("policy").filter(
        status__in=["notified", "confirmed", "granted"]
    )
    for m in rows.order_by("id").iterator():
        rule_set = sets.get(m.policy.rule_set_code)
        if rule_set is None or not rule_set.benefit or rule_set.period == "repeat":
            continue
        decision = Decision.objects.filter(decision_id=m.decision_id).first()
        on = decision.as_of if decision is not None else m.matched_at.date()
        period = str(on.year) if rule_set.period == "year" else "once"
        key = (rule_set.benefit, m.subject_kind, m.subject_id, period)
        if key in seen:
            continue
        seen.add(key)
        held = m.status == "granted"
        Entitlement.objects.create(
            benefit=rule_set.benefit,
            subject_kind=m.subject_kind,
            subject_id=m.subject_id,
            period_key=period,
            status="held" if held else "offered",
            source="proactive",
            reference=f"proactive:{m.pk}",
            case_no=m.case_no,
            rule_set_code=rule_set.code,
            decision_id=m.decision_id,
            amount=m.amount,
            granted_at=m.granted_at if held else None,
        )


class Migration(migrations.Migration):
    dependencies = [("proactive", "0003_recheck"), ("rules", "0004_entitlements_backfill")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
