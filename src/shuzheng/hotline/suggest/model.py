"""The trained model as plain data (``data/model.json``) and its scoring in pure Python.

The file holds the feature vocabulary with each feature's idf and, per head (``category``,
``type``), the classes, intercepts and the weights of each feature (pruned of the near-zero
ones). Scoring a ticket is TF-IDF (sublinear tf, l2-normalised, as scikit-learn's
``TfidfTransformer`` does) times the weights, then a softmax: a few hundred multiplications,
no numpy, and loading the file runs no code (unlike a pickle).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shuzheng.hotline.suggest.features import tokens

MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.json"
FORMAT = 1


@dataclass(frozen=True)
class Head:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: dict[int, tuple[tuple[int, float], ...]]  # feature → ((class, weight), …)

    def scores(self, x: dict[int, float]) -> list[float]:
        z = list(self.intercept)
        for f, v in x.items():
            for c, w in self.weights.get(f, ()):
                z[c] += v * w
        return z

    def contributions(self, x: dict[int, float], classes: set[int]) -> dict[int, dict[int, float]]:
        """{class: {feature: x·w}} for each of ``classes``, in one pass over the features."""
        out: dict[int, dict[int, float]] = {c: {} for c in classes}
        for f, v in x.items():
            for c, w in self.weights.get(f, ()):
                if c in out:
                    out[c][f] = v * w
        return out


def softmax(z: list[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


@dataclass(frozen=True)
class Model:
    version: str
    features: tuple[str, ...]
    index: dict[str, int]
    idf: tuple[float, ...]
    heads: dict[str, Head]
    meta: dict[str, object]

    def vector(self, text: str) -> dict[int, float]:
        counts = Counter(self.index[t] for t in tokens(text) if t in self.index)
        x = {f: (1.0 + math.log(n)) * self.idf[f] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in x.values())) or 1.0
        return {f: v / norm for f, v in x.items()}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Model:
        if doc.get("format") != FORMAT:
            raise ValueError(f"unknown model format {doc.get('format')!r}")
        features: tuple[str, ...] = tuple(str(f) for f in doc["features"])
        heads = {}
        for name, h in doc["heads"].items():
            weights = {
                int(f): tuple((int(c), float(w)) for c, w in cw) for f, cw in h["weights"].items()
            }
            heads[str(name)] = Head(
                tuple(h["classes"]), tuple(float(v) for v in h["intercept"]), weights
            )
        return cls(
            version=str(doc["version"]),
            features=features,
            index={f: i for i, f in enumerate(features)},
            idf=tuple(float(v) for v in doc["idf"]),
            heads=heads,
            meta=dict(doc.get("meta", {})),
        )


_lock = threading.Lock()
_loaded: dict[Path, Model] = {}


def load(path: Path = MODEL_PATH) -> Model:
    """The model in ``path``, read once per process (``reload`` after retraining)."""
    model = _loaded.get(path)
    if model is None:
        with _lock:
            model = _loaded.get(path)
            if model is None:
                model = Model.from_dict(json.loads(path.read_text("utf-8")))
                _loaded[path] = model
    return model


def reload(path: Path = MODEL_PATH) -> Model:
    with _lock:
        _loaded.pop(path, None)
    return load(path)
