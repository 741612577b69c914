"""The Reports page's reads: a fixed number of queries for any amount of data, loading
both the period and the previous one at once (reports.metrics computes the figures).

load() makes 7 queries whatever the period holds: dialogs started (with their facts,
reports.facts), dialogs ended, the messages of the started dialogs whose facts are not
settled, leads, ratings, operators with their state before the span, presence changes
(sites_of is one more, read by the view).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from chat.models import Dialog, Site
from leads.models import Lead
from operators.models import Operator
from reports import facts, metrics
from reports.models import PresenceChange
from satisfaction.models import Rating

# Up to this many dialogs whose messages the page walks are named in its query by id.
INLINE_IDS = 2000


def sites_of(operator: Operator):
    """The sites whose figures he may see: his own sites (as the console lists them)."""
    return Site.objects.filter(operators=operator, account_id=operator.account_id).order_by("name")


@dataclass
class StartedDialog:
    id: int
    created_at: object
    missed_at: object
    local: object  # created_at in the active time zone (the days and the heatmap)


@dataclass
class EndedDialog:
    closed_at: object
    duration: object  # a timedelta, computed by the database (half the moments to load)
    closed_automatically: bool


@dataclass
class GivenRating:
    rated_at: object
    score: int
    good: bool
    comment: str
    dialog_id: int
    dialog_number: int


@dataclass
class ReportData:
    span_start: object
    dialogs: list
    ended: list
    walks: dict
    lead_times: list
    lead_dialog_ids: set
    ratings: list
    operators: list
    presence: dict

    def online_before(self, operator, period) -> bool:
        """His state when the period starts: the last change before it."""
        state = bool(operator.online_before_span)
        for online, at in self.presence.get(operator.id, []):
            if at >= period.start:
                break
            state = online
        return state


def load(operator: Operator, site_ids, current, previous) -> ReportData:
    span = Q(created_at__gte=previous.start, created_at__lt=current.end)
    zone = timezone.get_current_timezone()
    started = (
        Dialog.objects.filter(span, site_id__in=site_ids)
        .order_by()
        .annotate(facts_settled=facts.settled())
    )
    dialogs, saved, unsettled = [], [], []
    for id_, created_at, missed_at, is_settled, *walk in started.annotate(
        **facts.as_text()
    ).values_list("id", "created_at", "missed_at", "facts_settled", *facts.SAVED_WALK):
        dialogs.append(StartedDialog(id_, created_at, missed_at, created_at.astimezone(zone)))
        if is_settled:
            saved.append((id_, *walk))
        else:
            unsettled.append(id_)
    walks = facts.saved_walks(saved)
    ended = [
        EndedDialog(*row)
        for row in Dialog.objects.filter(
            site_id__in=site_ids, closed_at__gte=previous.start, closed_at__lt=current.end
        )
        .order_by()
        .annotate(duration=ExpressionWrapper(F("closed_at") - F("created_at"), DurationField()))
        .values_list("closed_at", "duration", "closed_automatically")
    ]
    # The dialogs whose facts are missing or stale (today's open ones): their messages.
    # A short list of ids lets the planner read them through the (dialog, id) index; the
    # subquery (whose size it cannot guess) had it scan every message of the account.
    # (0, no dialog's id, keeps the list from being empty: Django would skip the query,
    # and the page's query count would depend on the data.)
    unsettled.append(0)
    if len(unsettled) > INLINE_IDS:
        unsettled = started.filter(facts_settled=False).values("id")
    walks.update(metrics.walk_messages(facts.message_rows(unsettled)))
    leads = list(
        Lead.objects.filter(
            Q(span, site_id__in=site_ids)
            | Q(
                dialog__site_id__in=site_ids,
                dialog__created_at__gte=previous.start,
                dialog__created_at__lt=current.end,
            )
        )
        .order_by()
        .values_list("created_at", "site_id", "dialog_id")
    )
    ratings = [
        GivenRating(*row)
        for row in Rating.objects.filter(
            dialog__site_id__in=site_ids,
            created_at__gte=previous.start,
            created_at__lt=current.end,
        )
        .order_by()
        .values_list("created_at", "score", "good", "comment", "dialog_id", "dialog__number")
    ]
    last_before = PresenceChange.objects.filter(
        operator=OuterRef("pk"), at__lt=previous.start
    ).order_by("-at", "-id")
    operators = list(
        Operator.objects.filter(account_id=operator.account_id, sites__id__in=site_ids)
        .distinct()
        .select_related("user")
        .annotate(online_before_span=Subquery(last_before.values("online")[:1]))
        .order_by("display_name", "id")
    )
    presence = defaultdict(list)
    for operator_id, online, at in (
        PresenceChange.objects.filter(
            operator__account_id=operator.account_id,
            at__gte=previous.start,
            at__lt=current.end,
        )
        .order_by("operator_id", "at", "id")
        .values_list("operator_id", "online", "at")
    ):
        presence[operator_id].append((online, at))

    return ReportData(
        span_start=previous.start,
        dialogs=dialogs,
        ended=ended,
        walks=walks,
        lead_times=[at for at, site_id, _d in leads if site_id in site_ids],
        lead_dialog_ids={dialog_id for _at, _s, dialog_id in leads if dialog_id},
        ratings=ratings,
        operators=operators,
        presence=dict(presence),
    )
