"""The Notes column and filter on chat's History page (chat/console/history_columns.py)."""

import django_filters
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chat.console.history_columns import HistoryColumn
from teamwork.models import Note

WITH, WITHOUT = "with", "without"
CHOICES = [(WITH, _("With notes")), (WITHOUT, _("Without notes"))]


def filter_by_notes(dialogs, name, value):
    shared = Note.objects.shared().filter(dialog=OuterRef("pk"))
    if value == WITH:
        return dialogs.filter(Exists(shared))
    if value == WITHOUT:
        return dialogs.exclude(Exists(shared))
    return dialogs


def with_note_count(rows):
    """The page's rows with the number of their shared notes, in the same query."""
    counted = (
        Note.objects.shared()
        .filter(dialog=OuterRef("pk"))
        .order_by()
        .values("dialog")
        .annotate(n=Count("id"))
        .values("n")
    )
    return rows.annotate(note_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


def notes_cell(dialog) -> str:
    """The cell: the number of shared notes with_note_count annotated, or a dash."""
    if dialog.note_count:
        return format_html(
            '<td class="h-notes"><span class="h-notes-mark" title="{}"><span aria-hidden="true">'
            "📝</span> {}</span></td>",
            gettext("Internal notes"),
            dialog.note_count,
        )
    return mark_safe('<td class="h-notes"><span class="muted">—</span></td>')


def notes_column() -> HistoryColumn:
    return HistoryColumn(
        name="notes",
        heading=_("Notes"),
        prepare_rows=with_note_count,
        cell_html=notes_cell,
        filter=django_filters.ChoiceFilter(
            label=_("Internal notes"),
            choices=CHOICES,
            method=filter_by_notes,
            empty_label=_("With or without notes"),
        ),
    )
