"""The Reports page's reads: a fixed number of queries for any amount of data, loading
both the period and the previous one at once (reports.metrics computes the figures).

load() makes 9 queries whatever the period holds: leads, the stored days (reports.days),
the live days' settled dialogs and dialogs ended, the unsettled dialogs, their messages,
ratings, operators with their state before the span, presence changes (sites_of is one
more, read by the view); and one more when it stores the days it lacked. The dialogs
become per-day figures (reports.tally): past days are read as stored, the live ones
(today, and a day not stored yet) summed by the database on PostgreSQL, so no row per
dialog is loaded but the unsettled ones.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from chat.models import Dialog, Site
from leads.models import Lead
from operators.models import Operator
from reports import days, dialog_filters, facts, metrics, periods, tally
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
    read of dialogs, leads and ratings below, in the same queries. A filtered page reads
    every day from the dialogs: the stored days hold every dialog's figures."""
    zone = timezone.get_current_timezone()
    span = periods.period_of(previous.first_day, current.last_day, zone)
    leads = list(
        Lead.objects.filter(
            Q(created_at__gte=span.start, created_at__lt=span.end, site_id__in=site_ids)
            | Q(
                dialog__site_id__in=site_ids,
                dialog__created_at__gte=span.start,
                dialog__created_at__lt=span.end,
            )
        )
        .filter(kept.q("dialog_id"))
        .order_by()
        .values_list("created_at", "site_id", "dialog_id", "dialog__site_id", "dialog__created_at")
    )
    if kept:
        plan = days.Plan(stored=[], live_start=span.start, to_build=[])
    else:
        plan = days.plan(site_ids, zone, span, timezone.now())
    tallies = defaultdict(tally.Tally)  # site id -> its days (stored, then live)
    for site_id, day, figures, _ids in plan.stored:
        tallies[site_id].add_figures(day, figures)
    live = Q(site_id__in=site_ids, created_at__gte=plan.live_start, created_at__lt=span.end)
    started = (
        Dialog.objects.filter(live, kept.q()).order_by().annotate(facts_settled=facts.settled())
    )
    settled_and_ended(tallies, site_ids, zone, plan.live_start, span.end, started, kept)
    # The dialogs whose messages the page walks: the live days' unsettled ones, and those
    # the stored days name. (0, no dialog's id, keeps the list from being empty: Django
    # would skip the query, and the page's query count would depend on the data.)
    named = [dialog_id for *_d, ids in plan.stored for dialog_id in ids] + [0]
    columns = ("id", "site_id", "created_at", "missed_at")
    unsettled = list(
        started.filter(facts_settled=False)
        .values_list(*columns)
        .union(Dialog.objects.filter(id__in=named).order_by().values_list(*columns), all=True)
    )
    if plan.to_build:
        waiting = defaultdict(list)
        for dialog_id, site_id, created_at, _m in unsettled:
            waiting[site_id, created_at.astimezone(zone).date()].append(dialog_id)
        days.build(plan, zone, tallies, waiting)
    # A short list of ids lets the planner read their messages through the (dialog, id)
    # index; the subquery (whose size it cannot guess) had it scan every message of the
    # account.
    ids = [row[0] for row in unsettled] + [0]
    if len(ids) > INLINE_IDS:
        ids = Dialog.objects.filter(
            Q(id__in=started.filter(facts_settled=False).values("id")) | Q(id__in=named)
        ).values("id")
    walks = metrics.walk_messages(facts.message_rows(ids))
    for id_, site_id, created_at, missed_at in unsettled:
        tallies[site_id].add_started(
            created_at.astimezone(zone), missed_at is not None, walks.get(id_)
        )
    counts = tally.Tally.merged(tallies.values())
    with_lead = {
        dialog_id: created_at
        for _at, _s, dialog_id, site_id, created_at in leads
        if dialog_id and site_id in site_ids and created_at in span
    }
    for created_at in with_lead.values():
        counts.days[created_at.astimezone(zone).date()].with_lead += 1
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
        lead_times=[at for at, site_id, *_dialog in leads if site_id in site_ids],
        ratings=ratings,
        operators=operators,
        presence=dict(presence),
    )


def settled_and_ended(
    tallies, site_ids, zone, start, end, started, kept=dialog_filters.EVERY_DIALOG
) -> None:
    """The live days' settled dialogs (by their facts) and dialogs ended, into tallies
    (site id -> Tally): two queries. On PostgreSQL the database sums them by site and
    day; elsewhere the same rules run here (reports.tally)."""
    if connection.vendor == "postgresql":
        kept_sql, kept_params = kept.sql("d.id")
        params = {
            **kept_params,
            "zone": str(zone),
            "sites": list(site_ids),
            "start": start,
            "end": end,
            "closed": Dialog.Status.CLOSED,
        }
        with connection.cursor() as cursor:
            for sql in (tally.SETTLED_STARTED_SQL, tally.ENDED_SQL):
                cursor.execute(sql.format(**tables(), kept=kept_sql), params)
                for kind, site_id, *row in cursor.fetchall():
                    tallies[site_id].add_grouped(kind, *row)
        return
    saved = list(
        started.filter(facts_settled=True)
        .annotate(**facts.as_text())
        .values_list("id", "site_id", "created_at", "missed_at", *facts.SAVED_WALK)
    )
    walks = facts.saved_walks([(row[0], *row[4:]) for row in saved])
    for id_, site_id, created_at, missed_at, *_walk in saved:
        tallies[site_id].add_started(
            created_at.astimezone(zone), missed_at is not None, walks.get(id_)
        )
    for site_id, closed_at, duration, automatically in (
        Dialog.objects.filter(
            kept.q(), site_id__in=site_ids, closed_at__gte=start, closed_at__lt=end
        )
        .order_by()
        .annotate(duration=ExpressionWrapper(F("closed_at") - F("created_at"), DurationField()))
        .values_list("site_id", "closed_at", "duration", "closed_automatically")
    ):
        tallies[site_id].add_ended(
            closed_at.astimezone(zone).date(), duration.total_seconds(), automatically
        )
