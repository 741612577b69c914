"""The choice rule of auto-assignment (docs/routing.md, "Who gets the dialog"), a pure
function: the caller reads the facts under its locks (routing/services.py)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    """An online operator of the site: his open dialogs now, his limit, and when he was
    last given a dialog (None: never)."""

    operator_id: int
    open_dialogs: int
    capacity: int
    last_assigned_at: datetime | None

    @property
    def has_room(self) -> bool:
        return self.open_dialogs < self.capacity


def choose(candidates, *, passed_over=frozenset()) -> int | None:
    """The operator to give the dialog to: among those with room who did not let it wait
    already (passed_over), the fewest open dialogs, then the longest without a new dialog
    (never given one first), then the lowest id so that the rule is a function. None when
    nobody qualifies: the dialog queues."""
    eligible = [c for c in candidates if c.has_room and c.operator_id not in passed_over]
    if not eligible:
        return None
    best = min(
        eligible,
        key=lambda c: (
            c.open_dialogs,
            c.last_assigned_at is not None,
            c.last_assigned_at or datetime.min,
            c.operator_id,
        ),
    )
    return best.operator_id
