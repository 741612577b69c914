"""What the visitor reads about his place in the queue, in the active language."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th ... in English; 1-й, 2-й ... in Russian (the translations)."""
    if n % 100 in (11, 12, 13):
        pattern = pgettext("ordinal 11, 12, 13", "%(n)dth")
    else:
        pattern = {
            1: pgettext("ordinal 1", "%(n)dst"),
            2: pgettext("ordinal 2", "%(n)dnd"),
            3: pgettext("ordinal 3", "%(n)drd"),
        }.get(n % 10) or pgettext("ordinal 0, 4-9", "%(n)dth")
    return pattern % {"n": n}


def line_text(position: int) -> str:
    return _("You are %(ordinal)s in line.") % {"ordinal": ordinal(position)}


def line_hint() -> str:
    return _("All operators are busy. The first one free will answer you.")
