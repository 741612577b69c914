"""Reads of the Leads page: which leads an operator may list, one page of them, one lead
with its dialog, and the rows of the CSV export. Fixed query counts whatever the rows."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from chat.console import selectors as chat_selectors
from chat.dialogs import access
from chat.errors import AccessDenied, NotFound
from chat.models import Message
from leads.models import Lead
from operators.models import Operator
from tags import selectors as tag_selectors

PAGE_SIZE = 50


def visible_leads(operator: Operator):
    """Leads of the operator's sites (an operator of another account never sees them)."""
    return Lead.objects.filter(site__in=operator.sites.values("id"), account_id=operator.account_id)


def _rows(leads):
    return leads.select_related("site", "dialog").order_by("-created_at", "-id")


def leads_page(leads, page_number) -> Page:
    """One page (newest first) of a filtered queryset from visible_leads(): the count and
    the rows, two queries."""
    page = Paginator(_rows(leads), PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    return page


# A lead's created_at is taken before its transaction commits: one committed after a
# list was read may carry an earlier time. The catch-up looks back this far.
CATCH_UP_MARGIN = datetime.timedelta(seconds=60)


def leads_since(leads, since) -> tuple[list[Lead], int]:
    """The newest leads (a page at most) of a filtered queryset received at or after
    `since`, and the queryset's count: two queries."""
    return list(_rows(leads).filter(created_at__gte=since)[:PAGE_SIZE]), leads.count()


def export_rows(leads):
    """Every lead of the filtered queryset, newest first, streamed: one query for each 500
    leads and one for their dialogs' tags."""
    rows = _rows(leads).prefetch_related(tag_selectors.links_prefetch("dialog__dialog_tags"))
    return rows.iterator(chunk_size=500)


@dataclass
class LeadView:
    lead: Lead
    # The lead's dialog when the operator may read it (chat.dialogs.access), with its messages.
    dialog_visible: bool
    messages: list[Message]


def lead_view(operator: Operator, lead_id: int) -> LeadView:
    """A lead of one of the operator's sites (NotFound / AccessDenied otherwise)."""
    lead = Lead.objects.select_related("site", "dialog", "visitor").filter(pk=lead_id).first()
    if lead is None:
        raise NotFound("No such lead.")
    site_ids = chat_selectors.site_ids_of(operator)
    if lead.account_id != operator.account_id or lead.site_id not in site_ids:
        raise AccessDenied("This lead belongs to a site you do not serve.")
    visible = False
    if lead.dialog is not None:
        operator_ids = {op.id for op in chat_selectors.active_operators(lead.dialog_id)}
        visible = access.can_view_dialog(operator, lead.dialog, site_ids, operator_ids)
    messages = chat_selectors.transcript(lead.dialog_id) if visible else []
    return LeadView(lead=lead, dialog_visible=visible, messages=messages)
