"""Training the suggestion model with scikit-learn and writing it as plain JSON (model.py).

Two heads on one TF-IDF vocabulary (jieba words + character n-grams, features.py): the
诉求分类 (its department follows from the category, categories.json) and the 诉求类型. Both are
multinomial logistic regressions, so their scores are probabilities. scikit-learn is imported
here only: suggesting needs nothing but the JSON file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shuzheng.hotline.suggest.features import tokens
from shuzheng.hotline.suggest.model import FORMAT, MODEL_PATH, Model

PRUNE = 0.15  # weights smaller than this (in absolute value) are left out of the file
C_CATEGORY = 20.0
C_TYPE = 10.0
MIN_DF = 3


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    type: str
    address: str | None = None

    @property
    def full_text(self) -> str:
        return f"{self.address} {self.text}" if self.address else self.text


def _analyzer(text: str) -> Sequence[str]:
    return tokens(text)


def _head(clf: Any, vocab_size: int) -> dict[str, Any]:
    coef = clf.coef_
    weights: dict[str, list[list[float]]] = {}
    for f in range(vocab_size):
        col = coef[:, f]
        kept = [[int(c), round(float(w), 4)] for c, w in enumerate(col) if abs(w) >= PRUNE]
        if kept:
            weights[str(f)] = kept
    return {
        "classes": [str(c) for c in clf.classes_],
        "intercept": [round(float(v), 4) for v in clf.intercept_],
        "weights": weights,
    }


def train(examples: Sequence[Example], *, note: str = "") -> dict[str, Any]:
    """A model document (``Model.from_dict`` reads it) trained on ``examples``."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    texts = [e.full_text for e in examples]
    vec = CountVectorizer(analyzer=_analyzer, min_df=MIN_DF)
    counts = vec.fit_transform(texts)
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(counts)
    heads = {}
    for name, labels, c in (
        ("category", [e.category for e in examples], C_CATEGORY),
        ("type", [e.type for e in examples], C_TYPE),
    ):
        clf = LogisticRegression(C=c, max_iter=2000)
        clf.fit(x, labels)
        heads[name] = _head(clf, counts.shape[1])
    features = [str(f) for f in vec.get_feature_names_out()]
    body = {
        "format": FORMAT,
        "features": features,
        "idf": [round(float(v), 4) for v in tfidf.idf_],
        "heads": heads,
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    return {
        **body,
        "version": digest,
        "meta": {
            "trained_on": len(examples),
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "note": note,
        },
    }


def write(doc: dict[str, Any], path: Path = MODEL_PATH) -> Model:
    # one line per top-level key keeps the file diffable enough and small
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), "utf-8")
    tmp.replace(path)
    return Model.from_dict(doc)


def generated_examples(n: int = 6000) -> list[Example]:
    from shuzheng.hotline.suggest import corpus

    return [Example(t.text, t.category, t.type, t.address) for t in corpus.generate(n)]
