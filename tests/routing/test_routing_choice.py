"""The choice rule (routing/choice.py): the fewest open dialogs, then the longest without
a new dialog, never past capacity, never someone who let this dialog wait already."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from routing.choice import Candidate, choose

T0 = datetime(2026, 1, 1, tzinfo=UTC)

candidates = st.lists(
    st.builds(
        Candidate,
        operator_id=st.integers(1, 40),
        open_dialogs=st.integers(0, 8),
        capacity=st.integers(1, 6),
        last_assigned_at=st.none() | st.integers(0, 600).map(lambda s: T0 + timedelta(seconds=s)),
    ),
    max_size=12,
    unique_by=lambda c: c.operator_id,
)


@given(candidates, st.sets(st.integers(1, 40), max_size=6))
def test_the_chosen_one_has_room_and_no_better_one_was_skipped(pool, passed_over):
    chosen = choose(pool, passed_over=passed_over)
    eligible = [c for c in pool if c.open_dialogs < c.capacity and c.operator_id not in passed_over]
    if not eligible:
        assert chosen is None
        return
    winner = next(c for c in pool if c.operator_id == chosen)
    assert winner in eligible
    for other in eligible:
        # Nobody eligible has fewer open dialogs ...
        assert winner.open_dialogs <= other.open_dialogs
        # ... and among equals the winner waited longest (never given one counts first).
        tie = other.open_dialogs == winner.open_dialogs and other is not winner
        if tie and winner.last_assigned_at is not None:
            assert other.last_assigned_at is not None
            assert winner.last_assigned_at <= other.last_assigned_at


@given(candidates)
def test_the_choice_does_not_depend_on_the_order_of_candidates(pool):
    assert choose(pool) == choose(list(reversed(pool)))


@given(candidates, st.integers(1, 30))
def test_giving_dialogs_one_by_one_never_exceeds_anyones_capacity(pool, arrivals):
    """What the service does under its lock: choose, count the dialog, choose again."""
    load = {c.operator_id: c for c in pool}
    for minute in range(arrivals):
        chosen = choose(list(load.values()))
        if chosen is None:
            assert all(c.open_dialogs >= c.capacity for c in load.values())
            continue
        c = load[chosen]
        load[chosen] = Candidate(
            c.operator_id, c.open_dialogs + 1, c.capacity, T0 + timedelta(days=1, minutes=minute)
        )
    for c in load.values():
        original = next(p for p in pool if p.operator_id == c.operator_id)
        assert c.open_dialogs <= max(c.capacity, original.open_dialogs)


def test_examples():
    anna = Candidate(1, 1, 3, T0)
    boris = Candidate(2, 1, 3, T0 - timedelta(minutes=5))
    vera = Candidate(3, 0, 1, None)
    assert choose([anna, boris, vera]) == 3  # fewest open dialogs
    assert choose([anna, boris]) == 2  # equal load: idle longest
    assert choose([anna, boris], passed_over={2}) == 1
    assert choose([Candidate(4, 3, 3, None)]) is None  # full
    assert choose([]) is None
