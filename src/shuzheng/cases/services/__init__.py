"""All writes of 统一申办受理, one topic a file (as Zulip keeps ``zerver/actions``):

- ``intake``: who applies, prefill, filing a case or 一件事 (and 免申即享 records);
- ``materials``: uploaded files and e-licences used instead (免证办);
- ``corrections``: what a 一次性告知 补正 may ask for and what the answer must give;
- ``instant``: 秒批, the rules deciding a submitted case;
- ``results``: the result licence of an approved case, issued or left pending;
- ``actions`` and ``handlers``: every action of ``cases.transitions``, through one path;
- ``deadlines``: the working-day clock and its warnings;
- ``records``: the one save path (locks, changed columns, timeline events, case numbers).

Each is one transaction, audited. Services take the caller (``Principal``) and check the right
themselves, so the API, the pages and the window-clerk desk go through the same rules.
"""

from shuzheng.cases.services.actions import allowed_actions, case_act, roles_on
from shuzheng.cases.services.corrections import correction_options, correction_targets
from shuzheng.cases.services.deadlines import cases_refresh_warnings
from shuzheng.cases.services.intake import case_create, case_create_proactive, prefill_for
from shuzheng.cases.services.materials import (
    bundle_materials_for,
    guided,
    guided_bundle,
    license_choices,
    license_choices_many,
    materials_for,
)
from shuzheng.cases.services.records import case_by_no
from shuzheng.cases.services.results import pending_license

__all__ = [
    "allowed_actions",
    "bundle_materials_for",
    "case_act",
    "case_by_no",
    "case_create",
    "case_create_proactive",
    "cases_refresh_warnings",
    "correction_options",
    "correction_targets",
    "guided",
    "guided_bundle",
    "license_choices",
    "license_choices_many",
    "materials_for",
    "pending_license",
    "prefill_for",
    "roles_on",
]
