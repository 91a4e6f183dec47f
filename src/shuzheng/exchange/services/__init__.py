"""All writes of the exchange, one module per subject (as Zulip keeps one actions file per
subject): ``resources`` (the catalog, 一数一源), ``sharing`` (share requests, 秒享, grants),
``consents`` (数字空间授权), ``data_api`` (data queries, rate limits, the call log) and
``quality`` (数据纠错); ``common`` holds the input checks and the audit of refused attempts.

Each service checks the caller's right itself, runs in one transaction and writes its audit
record inside it. Callers use ``from shuzheng.exchange import services; services.X``: the
public names are re-exported here.
"""

from shuzheng.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from shuzheng.exchange.services.common import AUDITED_REFUSALS, PURPOSES, refusal_record
from shuzheng.exchange.services.consents import MAX_CONSENT_DAYS, consent_grant, consent_revoke
from shuzheng.exchange.services.data_api import MAX_BATCH, ConsentRequired, data_query
from shuzheng.exchange.services.quality import (
    CORRECTION_DEADLINE_WORKING_DAYS,
    EDITABLE_PROVIDERS,
    correction_report,
    correction_resolve,
)
from shuzheng.exchange.services.resources import (
    FIELD_KEY_RE,
    FieldSpec,
    resource_field_update,
    resource_register,
)
from shuzheng.exchange.services.sharing import (
    INSTANT_ACTOR,
    MAX_SHARE_DAYS,
    REQUEST_DEADLINE_WORKING_DAYS,
    grant_revoke,
    request_decide,
    request_submit,
)

__all__ = [
    "AUDITED_REFUSALS",
    "CORRECTION_DEADLINE_WORKING_DAYS",
    "EDITABLE_PROVIDERS",
    "FIELD_KEY_RE",
    "INSTANT_ACTOR",
    "MAX_BATCH",
    "MAX_CONSENT_DAYS",
    "MAX_SHARE_DAYS",
    "PURPOSES",
    "REQUEST_DEADLINE_WORKING_DAYS",
    "Conflict",
    "ConsentRequired",
    "DomainError",
    "FieldSpec",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "ValidationFailed",
    "consent_grant",
    "consent_revoke",
    "correction_report",
    "correction_resolve",
    "data_query",
    "grant_revoke",
    "refusal_record",
    "request_decide",
    "request_submit",
    "resource_field_update",
    "resource_register",
]
