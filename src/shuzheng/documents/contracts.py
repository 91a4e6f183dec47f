"""Dataclasses the documents facade and registry use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RelatedItem:
    """Something of another module a document leads to (a 督办任务 of the plan it is)."""

    kind: str  # e.g. "supervision_task"
    label: str  # e.g. 督办任务
    title: str
    url: str
