"""Retraining: the corpus, confirmed dispatches turned into examples, the command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shuzheng.hotline.suggest import corpus
from shuzheng.hotline.suggest.model import Model, load
from shuzheng.hotline.suggest.retrain import function_of, to_examples
from shuzheng.hotline.suggest.service import Suggester, categories, fallback_directory
from shuzheng.hotline.suggest.train import generated_examples, train


def test_corpus_is_deterministic_and_covers_every_category() -> None:
    a, b = corpus.generate(400), corpus.generate(400)
    assert a == b
    assert corpus.generate(400, seed=1) != a
    assert {t.category for t in a} == set(categories())
    assert all(categories()[t.category].dept == t.department for t in a)


def test_generated_corpus_shares_no_line_with_the_evaluation_set() -> None:
    from shuzheng.hotline.suggest.evaluation import EVAL_PATH

    eval_texts = {r["text"] for r in corpus.read_jsonl(EVAL_PATH)}
    assert len(eval_texts) >= 300
    assert not eval_texts & {t.text for t in corpus.generate(6000)}


def test_department_codes_map_to_their_function() -> None:
    assert function_of("441200-SWUJ") == "441200-SWUJ"
    assert function_of("441203-CGJ") == "441200-CGJ"  # a 区县 department of the same function
    assert function_of("441200-XXX") is None


def test_confirmed_dispatches_become_examples() -> None:
    rows = [
        {"text": "鼎湖区坑口有几盏路灯不亮", "department": "441203-CGJ", "type": "投诉"},
        {"text": "自来水有铁锈味", "department": "441200-SWUJ", "category": "100101"},
        {"text": "水压太低", "department": "441200-SWUJ", "category": "080104"},  # not SWUJ's
        {"text": "随便", "department": "441200-XXX"},
        {"text": "", "department": "441200-SWUJ"},
    ]
    got = to_examples(rows, load())
    assert got.skipped == 2
    by_text = {e.text: e for e in got.examples}
    assert by_text["鼎湖区坑口有几盏路灯不亮"].category == "080104"  # 路灯, the model's pick
    assert by_text["鼎湖区坑口有几盏路灯不亮"].type == "投诉"
    assert by_text["自来水有铁锈味"].category == "100101"
    assert categories()[by_text["水压太低"].category].dept == "441200-SWUJ"
    assert all(e.type for e in got.examples)


def test_a_trained_document_loads_and_suggests() -> None:
    doc = train(generated_examples(600))
    model = Model.from_dict(json.loads(json.dumps(doc)))
    s = Suggester(model=lambda: model, directory=fallback_directory).suggest(text="家里停水了")
    assert s.departments[0].function_code == "441200-SWUJ"
    assert s.model_version == doc["version"]
    with pytest.raises(ValueError, match="unknown model format"):
        Model.from_dict({**doc, "format": 99})


@pytest.mark.django_db
def test_retrain_command_prints_before_and_after_and_writes_the_model(tmp_path: Path) -> None:
    confirmed = tmp_path / "confirmed.jsonl"
    confirmed.write_text(
        json.dumps({"text": "我们村停水三天了", "department": "441200-SWUJ"}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    out_file = tmp_path / "model.json"
    out = StringIO()
    call_command(
        "hotline_retrain",
        "--generated",
        "500",
        "--confirmed",
        str(confirmed),
        "--out",
        str(out_file),
        stdout=out,
    )
    text = out.getvalue()
    assert "已确认派单 1 条" in text
    for label in ("部门 top-1", "部门 top-3", "诉求类型"):
        line = next(x for x in text.splitlines() if x.startswith(label))
        before, after = (float(v) for v in line.split()[-2:])
        assert 0.0 <= before <= 1.0 and 0.0 <= after <= 1.0
    written = Model.from_dict(json.loads(out_file.read_text("utf-8")))
    assert written.meta["note"] == "generated 500 + confirmed 1"
    assert f"已写入 {out_file}" in text


def test_retrain_command_refuses_a_missing_file(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到文件"):
        call_command("hotline_retrain", "--confirmed", str(tmp_path / "none.jsonl"), "--dry-run")
