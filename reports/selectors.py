"""The Reports page's reads: a fixed number of queries for any amount of data, loading
both the period and the previous one at once (reports.metrics computes the figures).

load() makes 8 queries whatever the period holds: leads, the started dialogs whose facts
are not settled (reports.facts), the settled ones, the dialogs ended, the messages of the
unsettled ones, ratings, operators with their state before the span, presence changes
(sites_of is one more, read by the view). The dialogs become per-day figures
(reports.tally); on PostgreSQL the database sums the settled and ended ones by day, so no
row per dialog is loaded but today's open ones.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from chat.models import Dialog, Site
from leads.models import Lead
from operators.models import Operator
from reports import dialog_filters, facts, metrics, tally
from reports.models import DialogFacts, PresenceChange
from satisfaction.models import Rating

# Up to this many dialogs whose messages the page walks are named in its query by id.
INLINE_IDS = 2000


def sites_of(operator: Operator):
    """The sites whose figures he may see: his own sites (as the console lists them)."""
    return Site.objects.filter(operators=operator, account_id=operator.account_id).order_by("name")


def tables() -> dict:
    return {
        "dialog": Dialog._meta.db_table,
        "facts": DialogFacts._meta.db_table,
        "lead": Lead._meta.db_table,
    }


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
    tally: tally.Tally
    lead_times: list
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


def load(
    operator: Operator, site_ids, current, previous, kept=dialog_filters.EVERY_DIALOG
) -> ReportData:
    """kept: the dialogs the page's filters keep (reports.dialog_filters); applied to every
    read of dialogs, leads and ratings below, in the same queries."""
    span = Q(created_at__gte=previous.start, created_at__lt=current.end)
    zone = timezone.get_current_timezone()
    leads = list(
        Lead.objects.filter(
            Q(span, site_id__in=site_ids)
            | Q(
                dialog__site_id__in=site_ids,
                dialog__created_at__gte=previous.start,
                dialog__created_at__lt=current.end,
            )
        )
        .filter(kept.q("dialog_id"))
        .order_by()
        .values_list("created_at", "site_id", "dialog_id")
    )
    lead_dialog_ids = {dialog_id for _at, _s, dialog_id in leads if dialog_id}
    started = (
        Dialog.objects.filter(span, kept.q(), site_id__in=site_ids)
        .order_by()
        .annotate(facts_settled=facts.settled())
    )
    grouped = connection.vendor == "postgresql"
    counts = tally.Tally()
    # The dialogs whose facts are missing or stale (today's open ones), walked from their
    # messages below; on PostgreSQL the settled ones are summed by the database.
    unsettled = list(
        started.filter(facts_settled=False).values_list("id", "created_at", "missed_at")
    )
    if grouped:
        kept_sql, kept_params = kept.sql("d.id")
        with connection.cursor() as cursor:
            params = {
                **kept_params,
                "zone": str(zone),
                "sites": list(site_ids),
                "start": previous.start,
                "end": current.end,
                "closed": Dialog.Status.CLOSED,
            }
            for sql in (tally.SETTLED_STARTED_SQL, tally.ENDED_SQL):
                cursor.execute(sql.format(**tables(), kept=kept_sql), params)
                for row in cursor.fetchall():
                    counts.add_grouped(*row)
    else:
        saved = list(
            started.filter(facts_settled=True)
            .annotate(**facts.as_text())
            .values_list("id", "created_at", "missed_at", *facts.SAVED_WALK)
        )
        walks = facts.saved_walks([(row[0], *row[3:]) for row in saved])
        for id_, created_at, missed_at, *_walk in saved:
            counts.add_started(
                created_at.astimezone(zone),
                missed_at is not None,
                walks.get(id_),
                id_ in lead_dialog_ids,
            )
        for closed_at, duration, automatically in (
            Dialog.objects.filter(
                kept.q(),
                site_id__in=site_ids,
                closed_at__gte=previous.start,
                closed_at__lt=current.end,
            )
            .order_by()
            .annotate(duration=ExpressionWrapper(F("closed_at") - F("created_at"), DurationField()))
            .values_list("closed_at", "duration", "closed_automatically")
        ):
            counts.add_ended(
                closed_at.astimezone(zone).date(), duration.total_seconds(), automatically
            )
    # A short list of ids lets the planner read their messages through the (dialog, id)
    # index; the subquery (whose size it cannot guess) had it scan every message of the
    # account. (0, no dialog's id, keeps the list from being empty: Django would skip the
    # query, and the page's query count would depend on the data.)
    ids = [row[0] for row in unsettled] + [0]
    if len(ids) > INLINE_IDS:
        ids = started.filter(facts_settled=False).values("id")
    walks = metrics.walk_messages(facts.message_rows(ids))
    for id_, created_at, missed_at in unsettled:
        counts.add_started(
            created_at.astimezone(zone),
            missed_at is not None,
            walks.get(id_),
            id_ in lead_dialog_ids,
        )
    ratings = [
        GivenRating(*row)
        for row in Rating.objects.filter(
            kept.q("dialog_id"),
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
        tally=counts,
        lead_times=[at for at, site_id, _d in leads if site_id in site_ids],
        ratings=ratings,
        operators=operators,
        presence=dict(presence),
    )
