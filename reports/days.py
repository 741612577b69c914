"""Settled days (reports.models.SettledDay): the figures of a site's past day in one time
zone, stored by the first Reports page that shows the day, so that a page over a month
reads a row per day and computes only today (and any day not stored yet) from the
dialogs (docs/reports.md, "How the figures are kept fast").

A stored day holds what the day's settled dialogs (reports.facts.settled) and the dialogs
it ended contribute (reports.tally), and the ids of the dialogs it started that were not
settled then: the page walks their messages every time, as it does today's. A closed
dialog does not change, and a day that is over takes no new dialog, so a stored day stays
true until a dialog of it gets new facts: reports.facts.refresh then calls forget(), and
the next page builds the day again. Leads are not stored (reports.selectors counts the
dialogs with a lead from the leads it reads anyway). Building twice gives the same row.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from chat.models import Dialog
from reports import periods, tally
from reports.models import SettledDay


@dataclass
class Plan:
    stored: list  # (site id, day, figures, unsettled ids) of the stored days the page uses
    live_start: datetime  # from here to the span's end the page reads the dialogs
    to_build: list  # (site id, day, Period of the day) to store once computed


def plan(site_ids, zone, span, now) -> Plan:
    """One query: the span's stored days. The page computes the rest from the dialogs,
    from the first day that is not over or not stored for every site."""
    zone_name = str(zone)
    rows = SettledDay.objects.filter(
        site_id__in=site_ids, zone=zone_name, day__gte=span.first_day, day__lte=span.last_day
    ).values_list("site_id", "day", "figures", "unsettled")
    stored = {(site_id, day): (figures, ids) for site_id, day, figures, ids in rows}
    windows = {day: periods.period_of(day, day, zone) for day in span.days}
    over = [day for day in span.days if windows[day].end <= now]
    missing = [(site, day) for day in over for site in site_ids if (site, day) not in stored]
    live_days = [day for _site, day in missing] + [d for d in span.days if windows[d].end > now]
    first_live = min(live_days, default=None)
    return Plan(
        stored=[
            (site_id, day, figures, ids)
            for (site_id, day), (figures, ids) in stored.items()
            if first_live is None or day < first_live
        ],
        live_start=windows[first_live].start if first_live else span.end,
        to_build=[(site_id, day, windows[day]) for site_id, day in missing],
    )


def build(plan: Plan, zone, tallies: dict, unsettled: dict) -> None:
    """Store the days the plan lacked: tallies, site id -> the settled and ended
    dialogs' reports.tally.Tally; unsettled, (site id, day) -> ids. One query, none when
    nothing lacked; concurrent pages write the same rows, the first one stays."""
    if not plan.to_build:
        return
    now = timezone.now()
    SettledDay.objects.bulk_create(
        [
            SettledDay(
                site_id=site_id,
                zone=str(zone),
                day=day,
                start=window.start,
                end=window.end,
                figures=tallies.get(site_id, tally.Tally()).as_figures(day),
                unsettled=sorted(unsettled.get((site_id, day), [])),
                built_at=now,
            )
            for site_id, day, window in plan.to_build
        ],
        ignore_conflicts=True,
    )


def forget(dialog_ids) -> None:
    """Remove the stored days (in every zone) that these dialogs started or ended on: the
    next page builds them again. One query."""
    theirs = Dialog.objects.filter(id__in=dialog_ids, site_id=OuterRef("site_id")).filter(
        Q(created_at__gte=OuterRef("start"), created_at__lt=OuterRef("end"))
        | Q(closed_at__gte=OuterRef("start"), closed_at__lt=OuterRef("end"))
    )
    SettledDay.objects.filter(Exists(theirs)).delete()


def forget_since(moment: datetime | None) -> None:
    """Remove every stored day that ends after `moment` (all when None)."""
    days = SettledDay.objects.all()
    if moment is not None:
        days = days.filter(end__gt=moment)
    days.delete()
