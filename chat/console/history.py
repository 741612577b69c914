"""Dialog history: which dialogs an operator may list, and one page of them.

A page costs the same queries whatever its row count: the total, the rows (with site,
visitor and a message-count subquery) and one prefetch of everyone who took part.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from chat.console import history_columns
from chat.console.text_search import contains
from chat.models import Dialog, Message, Participant, Site, Visitor
from operators.models import Operator

PAGE_SIZE = 50

# What people wrote; the "X joined the dialog" lines are not counted or searched.
_WRITTEN = (Message.Author.VISITOR, Message.Author.OPERATOR)


def visible_dialogs(operator: Operator):
    """Every dialog of the operator's sites, minus what access.can_view_dialog refuses:
    a colleague's active dialog when he may not see others'."""
    dialogs = Dialog.objects.filter(site__in=operator.sites.values("id"))
    if not operator.can_see_others:
        in_it = Participant.objects.connected().filter(dialog=OuterRef("pk"), operator=operator)
        dialogs = dialogs.filter(~Q(status=Dialog.Status.ACTIVE) | Exists(in_it))
    return dialogs


def search(dialogs, text: str):
    """Dialogs with a message, or a visitor name, email or phone, containing the text
    (chat/console/text_search.py). Both are EXISTS subqueries, so no dialog is listed twice
    and PostgreSQL picks per query how to run them: for a rare text, once over the trigram
    indexes (a hashed set of ids); for a common one, row by row over the page's dialogs."""
    said = Message.objects.filter(
        contains("text", text), dialog=OuterRef("pk"), author_kind__in=_WRITTEN
    )
    who = Visitor.objects.filter(
        contains("name", text) | contains("email", text) | contains("phone", text),
        pk=OuterRef("visitor_id"),
    )
    return dialogs.filter(Exists(said) | Exists(who))


def with_operator(dialogs, operator: Operator):
    """Dialogs the operator took part in at any time (left or still there)."""
    return dialogs.filter(
        Exists(Participant.objects.filter(dialog=OuterRef("pk"), operator=operator))
    )


def _message_count():
    counted = (
        Message.objects.filter(dialog=OuterRef("pk"), author_kind__in=_WRITTEN)
        .order_by()
        .values("dialog")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# What a row shows (chat/console/history_rows.py): the rest of the three models is left
# unread. Building 50 wide rows (the dialog's 20 columns, the site's 15) was a quarter of
# the page's CPU time (docs/performance.md, seventh round). Written as defer() of the rest,
# not only(): an app's column may select_related through the visitor (only() would refuse).
_SHOWN = {
    Dialog: {"id", "site", "visitor", "number", "status", "created_at", "last_message_text"},
    Site: {"id", "name"},
    Visitor: {"id", "site", "animal", "name", "email", "phone"},
}
_PATHS = {Dialog: "", Site: "site__", Visitor: "visitor__"}


def _unshown() -> list[str]:
    return [
        f"{_PATHS[model]}{field.name}"
        for model, shown in _SHOWN.items()
        for field in model._meta.concrete_fields
        if field.name not in shown
    ]


def history_page(dialogs, page_number) -> Page:
    """One page (newest first) of a filtered queryset from visible_dialogs(). Each row
    carries message_count and operator_names (everyone who took part, in join order).

    The page's ids come first, from the dialogs table alone, and only those rows are then
    joined: sorting thousands of dialogs after joining each to its site and visitor was
    most of the page's database time (docs/performance.md)."""
    ids = dialogs.order_by("-created_at", "-id").values_list("id", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(page_number)
    rows = (
        Dialog.objects.filter(pk__in=list(page.object_list))
        .select_related("site", "visitor")
        .defer(*_unshown())
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("operator__user").order_by(
                    "joined_at", "id"
                ),
                to_attr="stays",
            )
        )
        .annotate(message_count=_message_count())
        .order_by("-created_at", "-id")
    )
    for column in history_columns.columns():  # other apps' columns: no query of their own
        rows = column.prepare_rows(rows)
    page.object_list = list(rows)
    for dialog in page.object_list:
        names = {}
        for stay in dialog.stays:
            names.setdefault(stay.operator_id, stay.operator.name)
        dialog.operator_names = list(names.values())
    _prepare_for_display(page.object_list)
    return page


PREVIEW_LENGTH = 80


def _prepare_for_display(dialogs) -> None:
    """What each row shows, worked out once per page rather than per row by template
    filters: the row's link, status label and preview were a third of the page's
    rendering time with 50 rows (docs/performance.md)."""
    labels = {value: str(label) for value, label in Dialog.Status.choices}
    link = reverse("console:dialog", kwargs={"pk": 0})[: -len("0/")]
    for dialog in dialogs:
        dialog.link = f"{link}{dialog.id}/"
        dialog.status_label = labels.get(dialog.status, dialog.status)
        text = dialog.last_message_text
        if len(text) > PREVIEW_LENGTH:
            text = text[: PREVIEW_LENGTH - 1].rstrip() + "…"
        dialog.preview = text
