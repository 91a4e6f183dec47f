"""Plain dataclasses the facade hands to other modules (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HallInfo:
    code: str
    name: str
    address: str
    phone: str
    hours: str


@dataclass(frozen=True)
class BookingInfo:
    no: str
    item_code: str
    item_name: str
    hall_name: str
    window: str
    date: str  # YYYY-MM-DD
    time: str  # HH:MM
    status: str
    status_name: str
    link: str
