"""CI runs every stored rule set's own test cases (as OpenFisca runs its YAML tests), through
zen-engine, the Python evaluator and the polars plan; and the console command does the same."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shuzheng.rules import engine, seed, selectors, testing
from shuzheng.rules.models import RuleSet

pytestmark = pytest.mark.django_db

SEEDED = [s["code"] for s in seed.seed_specs()]


def test_every_seed_is_stored():
    assert sorted(RuleSet.objects.values_list("code", flat=True)) == sorted(SEEDED)
    instant = RuleSet.objects.exclude(item_code="").count()
    assert instant >= 5


@pytest.mark.parametrize("code", SEEDED)
def test_rule_set_cases_pass(code):
    rs = RuleSet.objects.get(code=code)
    v = selectors.version_in_force(rs, timezone.localdate())
    program = engine.program_for(v.document, v.checksum, rs.subject_kind, bool(rs.item_code))
    results = testing.run_cases(program, v.document, v.tests)
    assert results, f"{code} has no test cases"
    assert [r.problems for r in results if not r.passed] == []


def test_console_command_runs_them(capsys):
    call_command("rules_test")
    out = capsys.readouterr().out
    for code in SEEDED:
        assert f"{code} v1: " in out
    assert " 0 failed" in out and "1 failed" not in out


def test_console_command_fails_on_a_broken_case(tmp_path):
    spec = seed.seed_specs()[0]
    doc = tmp_path / "rule.json"
    doc.write_text(json.dumps(seed.document_for(spec), ensure_ascii=False), "utf-8")
    cases = tmp_path / "cases.json"
    cases.write_text(
        json.dumps([{"name": "错的期望", "facts": {"age": 70}, "expect": {"outcome": "approve"}}]),
        "utf-8",
    )
    with pytest.raises(CommandError):
        call_command("rules_test", file=str(doc), tests=str(cases))
