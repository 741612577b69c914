"""Auto-assignment (docs/routing.md): every decision is taken with the account's row
locked (SELECT ... FOR UPDATE), so that decisions about the same operators, on any number
of server processes, run one after the other and never give anyone more than his capacity.
An operator belongs to one account; the account's row is also the lock chat takes to
number a new dialog, so a dialog's opening and its assignment share it.

Lock order, always: the account's row, then a dialog's row. Nothing else in the project
takes them the other way round (a dialog's writers never lock the account).
"""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chat.console import selectors as chat_selectors
from chat.console.presence import online_operators_q
from chat.dialogs import lifecycle
from chat.models import Dialog, Message, Participant
from chat.realtime import events
from operators.models import Account, Operator
from routing import modes, notices, queue
from routing.choice import Candidate, choose
from routing.models import Assignment, OperatorRouting, RoutingSettings


def auto_settings(site_id: int) -> RoutingSettings | None:
    """The site's settings when it auto-assigns, else None (one query)."""
    found = RoutingSettings.objects.filter(site_id=site_id).first()
    return found if found and found.auto_assign else None


def lock_account(account_id: int) -> None:
    list(Account.objects.select_for_update().filter(pk=account_id).values_list("pk"))


def candidates(site_id: int, default_capacity: int) -> list[Candidate]:
    """The site's online operators with their open dialogs, in one query."""
    open_stays = Q(
        participations__left_at__isnull=True,
        participations__dialog__status__in=Dialog.OPEN_STATUSES,
    )
    rows = (
        Operator.objects.filter(online_operators_q(), sites__id=site_id)
        .annotate(open_dialogs=Count("participations", filter=open_stays, distinct=True))
        .values_list("id", "open_dialogs", "routing__capacity", "routing__last_assigned_at")
    )
    return [
        Candidate(operator_id, open_dialogs, capacity or default_capacity, last_assigned_at)
        for operator_id, open_dialogs, capacity, last_assigned_at in rows
    ]


def _give(dialog: Dialog, operator_id: int, connected: list[Operator]) -> Operator:
    """Connect the chosen operator (the caller holds the locks) and remember it."""
    now = timezone.now()
    operator = Operator.objects.select_related("user").get(pk=operator_id)
    lifecycle.join_locked_dialog(dialog, operator, connected)
    was_queued = Assignment.objects.filter(
        dialog=dialog, assignee__isnull=True, queued_at__isnull=False
    ).exists()
    Assignment.objects.update_or_create(
        dialog=dialog,
        defaults={
            "assignee": operator,
            "assigned_at": now,
            "answered_at": None,
            "queued_at": None,
            "announced_position": None,
        },
    )
    OperatorRouting.objects.update_or_create(operator=operator, defaults={"last_assigned_at": now})
    if was_queued:
        queue.tell_visitor(dialog, None)
    return operator


def _enqueue(dialog: Dialog) -> None:
    """The dialog waits for a free operator, in order of how long its visitor waits."""
    Assignment.objects.update_or_create(
        dialog=dialog,
        defaults={
            "assignee": None,
            "assigned_at": None,
            "answered_at": None,
            "queued_at": dialog.waiting_since or dialog.created_at,
        },
    )
    transaction.on_commit(lambda: queue.announce_positions(dialog.site_id))


def route_opened_dialog(dialog: Dialog) -> list[int] | None:
    """chat's router (chat/dialogs/assignment.py), in the transaction of the visitor's
    first message: give the dialog to one operator, or queue it. None: the site shows new
    dialogs to everyone. A dialog opened outside business hours is left alone (quiet)."""
    if dialog.outside_hours or not modes.auto_assigns(dialog.site_id):
        return None
    settings = auto_settings(dialog.site_id)
    if settings is None:
        return None
    lock_account(dialog.account_id)
    chosen = choose(candidates(dialog.site_id, settings.default_capacity))
    if chosen is None:
        _enqueue(dialog)
        return []
    return [_give(dialog, chosen, []).id]


# --- the beat's pass and the hooks -----------------------------------------------------


def _auto_site_ids(account_id: int | None = None) -> list[int]:
    found = RoutingSettings.objects.filter(mode=RoutingSettings.Mode.AUTO_ASSIGN)
    if account_id is not None:
        found = found.filter(site__account_id=account_id)
    return list(found.values_list("site_id", flat=True))


def mark_answered() -> int:
    """Assignments whose operator has written in the dialog since he was given it."""
    answer = Message.objects.filter(
        dialog_id=OuterRef("dialog_id"),
        author_kind=Message.Author.OPERATOR,
        operator_id=OuterRef("assignee_id"),
        created_at__gte=OuterRef("assigned_at"),
    )
    return (
        Assignment.objects.filter(assignee__isnull=False, answered_at__isnull=True)
        .filter(Exists(answer))
        .update(answered_at=timezone.now())
    )


def _connected_without(dialog: Dialog, operator_id: int) -> list[Operator]:
    return [op for op in chat_selectors.active_operators(dialog.id) if op.id != operator_id]


def _take_back(dialog: Dialog, assignment: Assignment, *, timed_out: bool) -> str:
    """The assignee loses the unanswered dialog (the caller holds the locks): the next
    operator gets it, or, when he went offline and nobody can take it, it queues again.
    Returns what became of it: "passed", "queued" or "kept"."""
    settings = auto_settings(dialog.site_id)
    old_id = assignment.assignee_id
    passed_over = set(assignment.passed_over) | {old_id}
    chosen = None
    if settings is not None:
        chosen = choose(
            candidates(dialog.site_id, settings.default_capacity), passed_over=passed_over
        )
    if chosen is None and timed_out:
        return "kept"  # nobody else can take it: better late than nobody
    now = timezone.now()
    Participant.objects.connected().filter(dialog=dialog, operator_id=old_id).update(left_at=now)
    connected = _connected_without(dialog, old_id)
    if timed_out:
        assignment.passed_over = sorted(passed_over)
        assignment.save(update_fields=["passed_over"])
    if chosen is not None:
        new = _give(dialog, chosen, connected)
        notices.tell_passed(dialog, old_id, new, timed_out=timed_out, settings=settings)
        return "passed"
    if not connected:
        dialog.status = Dialog.Status.NEW
        dialog.save(update_fields=["status"])
    events.dialog_changed_on_commit(dialog, connected)
    _enqueue(dialog)
    notices.tell_queued(dialog, old_id)
    return "queued"


def _unanswered_in(account_id: int):
    return Assignment.objects.unanswered().filter(
        dialog__account_id=account_id,
        dialog__site__routing__mode=RoutingSettings.Mode.AUTO_ASSIGN,
    )


def _retake(assignment_id: int, *, timed_out: bool) -> str | None:
    """Lock the account and the dialog, check again, take the dialog back."""
    found = Assignment.objects.filter(pk=assignment_id).values_list(
        "dialog__account_id", "dialog_id"
    )
    row = found.first()
    if row is None:
        return None
    account_id, dialog_id = row
    with transaction.atomic():
        lock_account(account_id)
        dialog = lifecycle.lock_dialog(dialog_id)
        assignment = Assignment.objects.filter(pk=assignment_id).unanswered().first()
        if assignment is None or dialog.status != Dialog.Status.ACTIVE:
            return None
        still_there = Participant.objects.connected().filter(
            dialog=dialog, operator_id=assignment.assignee_id
        )
        if not still_there.exists():
            return None  # he left by himself: the dialog is new again (requeue_strays)
        return _take_back(dialog, assignment, timed_out=timed_out)


def pass_on_timed_out(now=None) -> list[int]:
    """Dialogs their operator did not answer within the site's answer timeout go to the
    next operator (the beat task). Returns the ids of the dialogs passed on."""
    now = now or timezone.now()
    mark_answered()
    due = (
        Assignment.objects.unanswered()
        .filter(dialog__site__routing__mode=RoutingSettings.Mode.AUTO_ASSIGN)
        .values_list(
            "pk", "dialog_id", "assigned_at", "dialog__site__routing__answer_timeout_seconds"
        )
    )
    passed = []
    for pk, dialog_id, assigned_at, timeout in due:
        due_now = (now - assigned_at).total_seconds() >= timeout
        if due_now and _retake(pk, timed_out=True) == "passed":
            passed.append(dialog_id)
    return passed


def hand_back_from_offline(operator_ids=None) -> list[int]:
    """Unanswered dialogs of operators who are no longer online go to someone else or
    back to the queue. operator_ids: those whose presence changed (None: anyone)."""
    mark_answered()
    online = Operator.objects.filter(online_operators_q()).values("pk")
    stale = (
        Assignment.objects.unanswered()
        .filter(dialog__site__routing__mode=RoutingSettings.Mode.AUTO_ASSIGN)
        .exclude(assignee__in=online)
    )
    if operator_ids is not None:
        stale = stale.filter(assignee_id__in=list(operator_ids))
    handed = []
    for pk, dialog_id in stale.values_list("pk", "dialog_id"):
        if _retake(pk, timed_out=False):
            handed.append(dialog_id)
    return handed


def requeue_strays(site_ids) -> int:
    """New dialogs of auto-assign sites that nobody holds and that are not in the queue
    (their operator left them, a missed dialog's visitor came back, the site switched to
    auto-assign): they join the queue."""
    in_queue = Assignment.objects.filter(
        dialog_id=OuterRef("pk"), assignee__isnull=True, queued_at__isnull=False
    )
    strays = Dialog.objects.filter(
        site_id__in=list(site_ids), status=Dialog.Status.NEW, outside_hours=False
    ).exclude(Exists(in_queue))
    count = 0
    for dialog in strays.only("id", "site_id", "created_at", "waiting_since"):
        _enqueue(dialog)
        count += 1
    return count


def drain_queue(account_id: int) -> list[int]:
    """Give queued dialogs of the account's auto-assign sites, oldest first, to operators
    with room. Returns the ids of the dialogs given."""
    site_ids = _auto_site_ids(account_id)
    if not site_ids:
        return []
    given = []
    with transaction.atomic():
        lock_account(account_id)
        requeue_strays(site_ids)
        settings = {s.site_id: s for s in RoutingSettings.objects.filter(site_id__in=site_ids)}
        full_sites = set()
        waiting = Assignment.objects.queued().filter(dialog__site_id__in=site_ids)
        for dialog_id, site_id in waiting.values_list("dialog_id", "dialog__site_id"):
            if site_id in full_sites:
                continue
            chosen = choose(candidates(site_id, settings[site_id].default_capacity))
            if chosen is None:
                full_sites.add(site_id)
                continue
            dialog = lifecycle.lock_dialog(dialog_id)
            if dialog.status != Dialog.Status.NEW or chat_selectors.active_operator_ids(dialog.id):
                continue
            _give(dialog, chosen, [])
            given.append(dialog_id)
        transaction.on_commit(lambda: [queue.announce_positions(s) for s in site_ids])
    return given


def accounts_with_auto_sites() -> list[int]:
    return list(
        RoutingSettings.objects.filter(mode=RoutingSettings.Mode.AUTO_ASSIGN)
        .values_list("site__account_id", flat=True)
        .distinct()
    )


def route_pass(now=None) -> dict:
    """The beat task's pass: timeouts, operators gone offline, the queues."""
    passed = pass_on_timed_out(now)
    handed = hand_back_from_offline()
    given = [d for account_id in accounts_with_auto_sites() for d in drain_queue(account_id)]
    return {"passed": passed, "handed_back": handed, "given": given}
