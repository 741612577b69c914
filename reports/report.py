"""One report: the filter's period and sites, the data loaded once, every figure of the
page and of its CSV tables (the page and the CSV read the same object)."""

from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operators.models import Operator
from reports import dialog_filters, metrics, periods, selectors

SUMMARY_LABELS = {
    "started": _("Dialogs started"),
    "answered": _("Answered"),
    "missed": pgettext_lazy("reports", "Missed"),
    "ended": _("Ended"),
    "auto_closed": _("Closed automatically"),
    "first_response_median": _("First response, median"),
    "first_response_p90": _("First response, 90th percentile"),
    "reply_median": _("Reply time, median"),
    "duration_median": _("Dialog duration, median"),
    "messages": _("Messages sent by operators"),
    "leads": pgettext_lazy("reports", "Leads"),
    "lead_share": _("Dialogs that became a lead"),
    "ratings": _("Ratings given"),
    "rating_average": _("Average rating"),
    "rating_good_share": _("Good ratings"),
}
OPERATOR_LABELS = {
    "dialogs": _("Dialogs"),
    "messages": _("Messages sent"),
    "first_response_median": _("First response, median"),
    "reply_median": _("Reply time, median"),
    "online": _("Time online"),
}
WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
WEEKDAYS_SHORT = (
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


@dataclass
class Figure:
    key: str
    anchor: str
    label: str
    current: object
    previous: object
    kind: str  # "count", "duration" or "share"


class Report:
    """Built from a valid ReportForm, for one account (never several: its operators and
    presence are read by account) and some of its sites; the active time zone is the
    viewer's (the console operator's, the admin's)."""

    def __init__(self, *, account_id: int, sites, cleaned):
        self.account_id = account_id
        zone = timezone.get_current_timezone()
        self.zone_name = str(zone)
        self.site = cleaned.get("site")
        self.site_ids = {self.site.id} if self.site else {s.id for s in sites}
        self.period = periods.period_of(cleaned["date_from"], cleaned["date_to"], zone)
        self.previous = periods.previous_of(self.period, zone)
        # selectors.load reads the viewer's account only (operators, presence), whoever he is.
        viewer = Operator(account_id=account_id)
        # Only the dialogs the other apps' filters keep (tags' "Tag"), in every figure.
        self.kept = dialog_filters.kept(cleaned)
        self.data = selectors.load(
            viewer, self.site_ids, self.period, self.previous, kept=self.kept
        )

    @cached_property
    def summary(self) -> list[Figure]:
        current = metrics.summarise(self.data, self.period)
        previous = metrics.summarise(self.data, self.previous)
        return [
            Figure(key, anchor, SUMMARY_LABELS[key], current[key], previous[key], kind(key))
            for key, anchor in metrics.SUMMARY
        ]

    @cached_property
    def operators(self) -> list[dict]:
        current = metrics.per_operator(self.data, self.period)
        previous = metrics.per_operator(self.data, self.previous)
        return [
            {
                "operator": op,
                "figures": [
                    Figure(
                        key,
                        anchor,
                        OPERATOR_LABELS[key],
                        current[op.id][key],
                        previous[op.id][key],
                        kind(key),
                    )
                    for key, anchor in metrics.OPERATOR_COLUMNS
                ],
            }
            for op in self.data.operators
        ]

    @cached_property
    def latest_comments(self) -> list:
        return metrics.latest_comments(self.data, self.period)

    @cached_property
    def daily(self) -> list[dict]:
        return metrics.daily(self.data, self.period)

    @cached_property
    def heatmap(self) -> list[list[int]]:
        return metrics.heatmap(self.data, self.period)


def kind(key: str) -> str:
    if key in metrics.DURATIONS or key == "online":
        return "duration"
    if key == "rating_average":
        return "score"
    return "share" if key in ("lead_share", "rating_good_share") else "count"
