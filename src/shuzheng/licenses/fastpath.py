"""亮证 verification's hot path in plain SQL (see ``core.rawsql`` for why).

``POST /api/v1/licenses/verify`` is the one public, high-volume call of this module: every
scan of a QR code by a shop, a bank or a window. It needs one read (the presentation with its
licence and the licence type) and one insert (the 用证记录 row) besides the seal signature
check and the audit append; both are done here without ORM query compilation. The objects
returned are unsaved-looking model instances carrying only the columns the verdict needs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shuzheng.core import rawsql
from shuzheng.licenses.models import License, LicenseType, LicenseUse, Presentation


def presentation_with_license(nonce: str, license_id: str) -> Presentation | None:
    """The presentation ``nonce`` of licence ``license_id`` with its licence and type, or None."""
    p, lic, t = rawsql.table(Presentation), rawsql.table(License), rawsql.table(LicenseType)
    found = rawsql.rows(
        "SELECT p.id, p.expires_at, p.fields, l.id, l.license_id, l.status, l.valid_until, "  # noqa: S608
        "l.department_code, l.department_name, t.id, t.code, t.name, t.fields "
        f"FROM {p} p JOIN {lic} l ON l.id = p.license_id "
        f"JOIN {t} t ON t.id = l.license_type_id WHERE p.nonce = %s AND l.license_id = %s",
        [nonce, license_id],
    )
    if not found:
        return None
    row = found[0]
    ltype = LicenseType(id=row[9], code=row[10], name=row[11], fields=rawsql.as_json(row[12]))
    licence = License(
        id=row[3],
        license_id=row[4],
        status=row[5],
        valid_until=rawsql.as_date(row[6]),
        department_code=row[7],
        department_name=row[8],
        license_type=ltype,
    )
    pres = Presentation(
        id=row[0],
        nonce=nonce,
        expires_at=rawsql.as_moment(row[1]),  # type: ignore[misc]  # never NULL
        fields=rawsql.as_json(row[2]),
        license=licence,
    )
    for obj in (ltype, licence, pres):
        obj._state.adding = False
        obj._state.db = "default"
    return pres


def record_verification(
    *,
    license_pk: int,
    presentation_pk: int | None,
    actor: str,
    actor_name: str,
    purpose: str,
    result: str,
    fields: list[str],
    at: dt.datetime,
) -> int:
    """One 用证记录 row of kind 'verify'; returns its id."""
    values: dict[str, Any] = {
        "license": license_pk,
        "kind": LicenseUse.Kind.VERIFY.value,
        "actor": actor,
        "actor_name": actor_name,
        "purpose": purpose,
        "case_no": "",
        "presentation": presentation_pk,
        "result": result,
        "fields": fields,
        "at": at,
    }
    return rawsql.insert(LicenseUse, values)
