"""How a figure reads on the page and in the CSV (docs/reports.md, "Units")."""

from django.utils import formats
from django.utils.translation import gettext as _


def duration_text(seconds) -> str:
    """45 s; 2 min 05 s; 3 h 20 min (the page's words); an em dash when unknown."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {
            "hours": formats.number_format(hours, force_grouping=True),
            "minutes": minutes,
        }
    if minutes:
        return _("%(minutes)s min %(seconds)02d s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)s s") % {"seconds": secs}


def figure_text(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "duration":
        return duration_text(value)
    if kind == "share":
        return formats.number_format(round(value * 100, 1), 1) + " %"
    if kind == "score":
        return formats.number_format(round(value, 2), 2) + " / 5"
    return formats.number_format(value, force_grouping=True)


def change_text(current, previous, kind: str) -> str:
    """The change from the previous period: +3, −12 s, +4.5 pp; empty when unknown."""
    if current is None or previous is None:
        return ""
    delta = current - previous
    if kind == "duration":
        delta = round(delta)
    elif kind == "share":
        delta = round(delta * 100, 1)
    elif kind == "score":
        delta = round(delta, 2)
    if not delta:
        return "±0"
    sign = "+" if delta > 0 else "−"
    if kind == "duration":
        return sign + duration_text(abs(delta))
    if kind == "share":
        return sign + formats.number_format(abs(delta), 1) + " " + _("pp")
    if kind == "score":
        return sign + formats.number_format(abs(delta), 2)
    return sign + formats.number_format(abs(delta), force_grouping=True)


def csv_value(value, kind: str):
    """CSV cells are numbers a spreadsheet can add: seconds, percent, counts."""
    if value is None:
        return ""
    if kind == "duration":
        return round(value)
    if kind == "share":
        return round(value * 100, 1)
    if kind == "score":
        return round(value, 2)
    return value
