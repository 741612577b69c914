"""Whether an operator may take one more dialog, without chat knowing the rule.

Capacity (an operator's dialog limit) belongs to a higher app (routing). It registers its
check in its AppConfig.ready():

    capacity.register_capacity_check(check)

    check(*, operators: list[Operator], dialog: Dialog) -> dict[int, str]

returning, for each operator who may NOT take the dialog now, the reason in the active
language ("Boris has 5 dialogs, his limit"); an operator absent from the answer may take
it. It answers for a whole list at once so a menu of colleagues costs a fixed number of
queries. With no check registered everyone may take every dialog. Transfer (teamwork)
asks it before handing a dialog over.
"""

from collections.abc import Callable

CapacityCheck = Callable[..., dict[int, str]]

_checks: list[CapacityCheck] = []


def register_capacity_check(check: CapacityCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def unregister_capacity_check(check: CapacityCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def refusals(*, operators, dialog) -> dict[int, str]:
    """operator id -> why he may not take the dialog now (the first check's reason)."""
    refused: dict[int, str] = {}
    for check in _checks:
        for operator_id, reason in check(operators=list(operators), dialog=dialog).items():
            refused.setdefault(operator_id, reason)
    return refused


def can_take(operator, dialog) -> tuple[bool, str]:
    """(True, "") when the operator may take one more dialog, else (False, the reason)."""
    reason = refusals(operators=[operator], dialog=dialog).get(operator.id)
    return (reason is None, reason or "")
