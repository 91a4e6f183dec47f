"""All writes of the licenses module, one file per topic (as Zulip keeps ``zerver/actions/``):

* ``types`` — licence types (证照目录) loaded from ``data/license_types.json``;
* ``issuing`` — issue a licence (from a case or directly): check, serial, SM2 signature, sealed
  PDF, row, history event, audit record;
* ``importing`` — bulk import of existing licences (存量证照) from CSV;
* ``status`` — suspend, resume, cancel (注销), revoke (吊销), expire;
* ``presentation`` — 亮证 tokens, and verifying a token, a licence id or a PDF;
* ``usage`` — 用证记录 of a case's use (免证办) and audited reads;
* ``reminders`` — 到期提醒 90 and 30 days before a licence ends.

Every write runs in one transaction with its audit record. Callers inside this module import
from here (``from shuzheng.licenses import services``); other modules use ``facade``.
"""

from shuzheng.licenses.services.importing import license_import_csv
from shuzheng.licenses.services.issuing import (
    IssueRequest,
    license_issue,
    license_issue_from_case,
    prepare_issue,
)
from shuzheng.licenses.services.presentation import (
    REASONS,
    license_check,
    pdf_verify,
    presentation_create,
    presentation_nonce_of_ref,
    presentation_ref,
    presentation_ref_in,
    presentation_verify,
    presentation_verify_ref,
)
from shuzheng.licenses.services.reminders import REMINDER_DAYS, licenses_remind_expiring
from shuzheng.licenses.services.status import (
    ACTION_NAMES,
    ACTIONS,
    license_cancel_for_case,
    license_change_status,
    licenses_expire,
)
from shuzheng.licenses.services.types import license_types_load
from shuzheng.licenses.services.usage import license_read_audit, license_record_use

__all__ = [
    "ACTIONS",
    "ACTION_NAMES",
    "REASONS",
    "REMINDER_DAYS",
    "IssueRequest",
    "license_cancel_for_case",
    "license_change_status",
    "license_check",
    "license_import_csv",
    "license_issue",
    "license_issue_from_case",
    "license_read_audit",
    "license_record_use",
    "license_types_load",
    "licenses_expire",
    "licenses_remind_expiring",
    "pdf_verify",
    "prepare_issue",
    "presentation_create",
    "presentation_nonce_of_ref",
    "presentation_ref",
    "presentation_ref_in",
    "presentation_verify",
    "presentation_verify_ref",
]
