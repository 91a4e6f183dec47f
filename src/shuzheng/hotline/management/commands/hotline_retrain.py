"""``shuzheng hotline_retrain``: retrain the 12345 派单建议 model and show what changed.

Trains on the generated corpus (hotline/suggest/corpus.py) plus the operators' confirmed
dispatches — from ``shuzheng.hotline.facade.confirmed_dispatches()`` when the engine provides
it, and from ``--confirmed FILE.jsonl`` ({"text", "address"?, "department", "type"?,
"category"?} per line) — prints department top-1/top-3 and 诉求类型 accuracy on the fixed
evaluation set (bench/hotline/eval.jsonl) before and after, and writes the model file
(hotline/suggest/data/model.json, or ``--out``). ``--dry-run`` writes nothing.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.hotline.suggest import features
from shuzheng.hotline.suggest import model as model_file
from shuzheng.hotline.suggest.corpus import read_jsonl
from shuzheng.hotline.suggest.evaluation import EVAL_PATH, evaluate
from shuzheng.hotline.suggest.retrain import facade_dispatches, to_examples
from shuzheng.hotline.suggest.service import Suggester, fallback_directory
from shuzheng.hotline.suggest.train import generated_examples, train, write


class Command(BaseCommand):
    help = "Retrain the 12345 dispatch-suggestion model; print accuracy before and after."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--confirmed", action="append", default=[], metavar="FILE.jsonl")
        parser.add_argument("--eval", default=str(EVAL_PATH), metavar="FILE.jsonl")
        parser.add_argument("--out", default=str(model_file.MODEL_PATH), metavar="MODEL.json")
        parser.add_argument("--generated", type=int, default=6000, help="generated tickets")
        parser.add_argument("--dry-run", action="store_true", help="train and report only")

    def handle(self, *args: Any, **options: Any) -> None:
        eval_path = Path(options["eval"])
        if not eval_path.is_file():
            raise CommandError(f"找不到评估集：{eval_path}")
        for name in options["confirmed"]:
            if not Path(name).is_file():
                raise CommandError(f"找不到文件：{name}")
        rows = list(read_jsonl(eval_path))
        current_path = Path(options["out"])
        if not current_path.is_file():
            current_path = model_file.MODEL_PATH
        current = model_file.reload(current_path)

        def score(path: Path) -> dict[str, float]:
            features.clear_caches()
            s = Suggester(model=lambda: model_file.load(path), directory=fallback_directory)
            return evaluate(rows, s)

        before = score(current_path)

        confirmed: list[Any] = []
        from_facade = facade_dispatches()
        if from_facade is None:
            self.stdout.write("hotline.facade.confirmed_dispatches() 尚未提供，跳过。")
        else:
            confirmed += from_facade
            self.stdout.write(f"hotline.facade：{len(from_facade)} 条已确认派单。")
        for name in options["confirmed"]:
            path = Path(name)
            try:
                confirmed += list(read_jsonl(path))
            except json.JSONDecodeError as e:
                raise CommandError(f"{path} 第 {e.lineno} 行不是有效的 JSON。") from e
        gathered = to_examples(confirmed, current)
        generated = generated_examples(options["generated"])
        self.stdout.write(
            f"训练样本：生成 {len(generated)} 条，已确认派单 {len(gathered.examples)} 条"
            + (f"（{gathered.skipped} 条无法使用，已跳过）" if gathered.skipped else "")
            + "。训练中……"
        )
        doc = train(
            [*generated, *gathered.examples],
            note=f"generated {len(generated)} + confirmed {len(gathered.examples)}",
        )
        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / "model.json"
            write(doc, trial)
            after = score(trial)
            model_file.reload(trial)

        self.stdout.write(f"评估集 {eval_path.name}（{len(rows)} 条）：")
        self.stdout.write(f"{'':14}{'之前':>8}{'之后':>8}")
        for key, label in (("top1", "部门 top-1"), ("top3", "部门 top-3"), ("type", "诉求类型")):
            self.stdout.write(f"{label:<12}{before[key]:>10.3f}{after[key]:>10.3f}")
        self.stdout.write(f"模型 {current.version} → {doc['version']}")
        if options["dry_run"]:
            self.stdout.write("--dry-run：未写入模型文件。")
            return
        out = Path(options["out"])
        write(doc, out)
        model_file.reload(out)
        self.stdout.write(f"已写入 {out}。")
