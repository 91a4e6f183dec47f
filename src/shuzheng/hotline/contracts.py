"""Plain data the hotline hands to other modules and its pages (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TicketInput:
    """What a 诉求 says, from any channel. ``type`` may be the code (consult …) or the Chinese
    word (咨询 …); ``category`` a category code; ``region_code`` a 肇庆 county or township code
    (else the address, then the content, is parsed); ``attachments`` file ids the caller
    uploaded through ``files`` (images or PDFs only)."""

    content: str
    type: str = ""
    title: str = ""
    category: str = ""
    address: str = ""
    region_code: str = ""
    lat: Any = None
    lng: Any = None
    attachments: tuple[str, ...] = ()
    urgency: str = "normal"
    confidential: bool = False
    caller_phone: str = ""
    caller_name: str = ""
    reporter_id_number: str = ""
    linked_case_no: str = ""
    respondent: str = ""
    # links to the caller's media elsewhere (Open311 ``media_url``): http(s) URLs, kept among
    # the attachments as {"url", "name", "kind": "link"}
    media_urls: tuple[str, ...] = ()
    # other values a channel sends (Open311 ``attribute[code]``), kept on the ticket's first
    # timeline event and shown to the center
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    name: str
    level: int
    parent_code: str | None
    departments: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    active: bool = True


@dataclass(frozen=True)
class Choice:
    """A code and the words a person reads for it."""

    code: str
    label: str
