"""The page's tables as CSV rows (cells made safe by the Leads export's leads.views.safe_cell
in reports.views). Durations are whole seconds, shares percent (docs/reports.md, "Units")."""

from django.utils.translation import gettext as _

from reports import formatting, metrics
from reports.report import OPERATOR_LABELS, WEEKDAYS, kind

TABLES = ("summary", "operators", "daily", "heatmap")


def summary_rows(report):
    yield [_("Figure"), _("This period"), _("Previous period"), _("Unit")]
    for item in report.summary:
        yield [
            str(item.label),
            formatting.csv_value(item.current, item.kind),
            formatting.csv_value(item.previous, item.kind),
            unit(item.kind),
        ]


def operators_rows(report):
    header = [_("Operator")]
    for label, column_kind in columns(report):
        header += [
            f"{label} ({unit(column_kind)})",
            f"{label}, {_('previous period')} ({unit(column_kind)})",
        ]
    yield header
    for row in report.operators:
        cells = [row["operator"].name]
        for item in row["figures"]:
            cells += [
                formatting.csv_value(item.current, item.kind),
                formatting.csv_value(item.previous, item.kind),
            ]
        yield cells


def daily_rows(report):
    yield [_("Day"), _("Dialogs started"), f"{_('First response, median')} ({unit('duration')})"]
    for day in report.daily:
        yield [
            day["day"].isoformat(),
            day["started"],
            formatting.csv_value(day["first_response_median"], "duration"),
        ]


def heatmap_rows(report):
    yield [_("Weekday")] + [f"{hour:02d}" for hour in range(24)]
    for weekday, row in enumerate(report.heatmap):
        yield [str(WEEKDAYS[weekday])] + row


def columns(report):
    return [(str(OPERATOR_LABELS[key]), kind(key)) for key, _a in metrics.OPERATOR_COLUMNS]


def unit(kind: str) -> str:
    return {"duration": _("seconds"), "share": "%", "score": _("score 1-5")}.get(kind, _("count"))


ROWS = {
    "summary": summary_rows,
    "operators": operators_rows,
    "daily": daily_rows,
    "heatmap": heatmap_rows,
}
