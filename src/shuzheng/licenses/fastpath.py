"""The one read of 亮证 verification in plain SQL (the seam is ``core.rawsql``).

``POST /api/v1/licenses/verify`` is the module's public, high-volume call: every scan of a QR
code by a shop, a bank or a window. Besides the seal signature check and the audit append it
reads the presentation with its licence and the licence type. Measured in one process, back to
back (``bench/licenses/README.md``): the ORM's ``select_related(...).only(...).get()`` of that
row costs 450–740 µs of query compilation against about 100 µs here, a third of a whole
verification (~1.5 ms), and takes the in-process figure below the 500/s target. The 用证记录
insert that used to be here too is an ordinary ``LicenseUse.objects.create`` again: it costs
~100 µs more than plain SQL (a few per cent of a verification), which the target does not ask
for.

``tests/test_verification.py`` checks that this read returns what the ORM's returns on both
databases, and pins the statement count of a verification.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

from shuzheng.core import rawsql
from shuzheng.licenses.models import License, LicenseType, Presentation


def _loaded(model: type[Model], values: dict[str, Any]) -> Any:
    """An instance as the ORM loads it with ``only(*values)``: the other fields deferred, so
    reading one of them is a query (which the statement-count test sees), never a blank."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[n] for n in names])


def presentation_with_license(nonce: str, license_id: str) -> Presentation | None:
    """The presentation ``nonce`` of licence ``license_id`` with its licence and type, loaded
    with only the columns a verification reads; None when there is no such presentation."""
    p, lic, t = rawsql.table(Presentation), rawsql.table(License), rawsql.table(LicenseType)
    found = rawsql.rows(
        "SELECT p.id, p.expires_at, l.id, l.license_id, l.status, l.valid_until, "  # noqa: S608
        "l.department_code, l.department_name, t.id, t.name, t.fields "
        f"FROM {p} p JOIN {lic} l ON l.id = p.license_id "
        f"JOIN {t} t ON t.id = l.license_type_id WHERE p.nonce = %s AND l.license_id = %s",
        [nonce, license_id],
    )
    if not found:
        return None
    (pid, expires_at, lpk, lid, status, until, dept_code, dept_name, tid, tname, tfields) = found[0]
    ltype = _loaded(LicenseType, {"id": tid, "name": tname, "fields": rawsql.as_json(tfields)})
    found_license = _loaded(
        License,
        {
            "id": lpk,
            "license_id": lid,
            "license_type_id": tid,
            "status": status,
            "valid_until": rawsql.as_date(until),
            "department_code": dept_code,
            "department_name": dept_name,
        },
    )
    found_license.license_type = ltype
    pres = _loaded(
        Presentation,
        {"id": pid, "license_id": lpk, "expires_at": rawsql.as_moment(expires_at)},
    )
    pres.license = found_license
    return pres
