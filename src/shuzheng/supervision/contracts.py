"""Dataclasses the supervision facade returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskMention:
    id: int
    plan_title: str
    title: str
