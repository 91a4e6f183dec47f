"""Extension points for modules above cases (payments, issue 17), which cases cannot import.

- An **action listener** is told of every action of the transition table, inside the action's
  transaction, after the case, its event and its audit record are written: it may write its
  own rows and audit records in the same transaction (payments opens a fee order on 受理 and
  refunds or closes it on 不予受理, 不予许可 and 撤回); raising rolls the action back.
- A **close gate** may hold a case back from 办结/出证 (the ``close`` row's ``available``
  condition): it returns why, in words a person reads, or None (payments: the fee is unpaid).

Both get a ``CaseRef`` (plain data), never the row. ``shuzheng/urls.py`` wires them, as it
wires the case page's panels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shuzheng.cases.contracts import CaseRef

if TYPE_CHECKING:
    from shuzheng.cases.models import Case

ActionListener = Callable[[CaseRef, str, str], None]
"""``(case, action, actor)``: called in the action's transaction."""

CloseGate = Callable[[CaseRef], str | None]
"""``(case) -> why it may not be closed yet`` (None: nothing holds it back)."""

_LISTENERS: list[ActionListener] = []
_GATES: list[CloseGate] = []


def register_action_listener(listener: ActionListener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def register_close_gate(gate: CloseGate) -> None:
    if gate not in _GATES:
        _GATES.append(gate)


def _ref(case: Case) -> CaseRef:
    from shuzheng.cases.facade import ref_of  # the facade imports the table, which imports this

    return ref_of(case)


def after_action(case: Case, action: str, actor: str) -> None:
    """Tell every listener (in the caller's transaction)."""
    if not _LISTENERS:
        return
    ref = _ref(case)
    for listener in _LISTENERS:
        listener(ref, action, actor)


def close_blocked(case: Case) -> str | None:
    """Why the case may not be closed now, from the first gate that holds it back."""
    if not _GATES or case.kind != "item":
        return None
    ref = _ref(case)
    for gate in _GATES:
        reason = gate(ref)
        if reason:
            return reason
    return None


def close_allowed(case: Case) -> bool:
    """The ``close`` row's further condition."""
    return close_blocked(case) is None
