"""Leads from the widget: the offline form and "introduce yourself".

Each submission is one function: it takes a slot of the sender's rate limit, writes in one
transaction and announces the new lead (and the visitor's new name or contacts) through
chat.realtime.events on commit. The checks before it (visitor token, blacklist, honeypot, form)
are the view's, in leads.views.
"""

import re

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chat import hooks
from chat.console import selectors as chat_selectors
from chat.dialogs import lifecycle
from chat.errors import AccessDenied
from chat.messaging import payloads as chat_payloads
from chat.messaging import ratelimit, system_lines
from chat.models import Dialog, Visitor
from chat.realtime import events
from chat.visitors import blocking
from leads import events as leads_events
from leads.models import Lead

CONTACT_FIELDS = ("name", "email", "phone")


# --- spam protection --------------------------------------------------------------------


def _rate_buckets(visitor: Visitor, ip: str | None) -> list[ratelimit.Bucket]:
    """LEADS_RATE_LIMIT forms per address and site, LEADS_RATE_LIMIT_PER_VISITOR per
    visitor (an address that changes does not help), per LEADS_RATE_WINDOW_SECONDS."""
    window = settings.LEADS_RATE_WINDOW_SECONDS
    buckets = [
        ratelimit.Bucket(
            "leads:visitor", str(visitor.id), settings.LEADS_RATE_LIMIT_PER_VISITOR, window
        )
    ]
    if ip:
        buckets.append(
            ratelimit.Bucket(
                "leads:ip", f"{visitor.site_id}:{ip}", settings.LEADS_RATE_LIMIT, window
            )
        )
    return buckets


def _too_many_forms() -> str:
    return _("You have sent too many forms. Please try again in a few minutes.")


def check_sender(*, visitor: Visitor, ip: str | None) -> None:
    """Refuse a blacklisted address (AccessDenied) and a sender that has used up its forms
    (ratelimit.RateLimited) before the form is even read."""
    if blocking.is_blocked(visitor.site.account_id, ip):
        raise AccessDenied(_("The chat is not available."))
    ratelimit.check(*_rate_buckets(visitor, ip), detail=_too_many_forms())


def take_rate_slot(*, visitor: Visitor, ip: str | None) -> None:
    """Count one accepted form of this visitor and address; RateLimited past a limit."""
    ratelimit.take(*_rate_buckets(visitor, ip), detail=_too_many_forms())


def absorb_spam(*, visitor: Visitor, ip: str | None) -> None:
    """A robot filled the honeypot: it is answered like a person and nothing is stored,
    but it uses up the sender's forms all the same."""
    take_rate_slot(visitor=visitor, ip=ip)


# --- submissions ------------------------------------------------------------------------


def _locked_visitor(visitor_id: int) -> Visitor:
    # Locked like post_visitor_message does (visitor first, then his dialog).
    return Visitor.objects.select_for_update(of=("self",)).select_related("site").get(pk=visitor_id)


def _remember_contacts(visitor: Visitor, contact: dict) -> list[str]:
    """Copy the fields the visitor filled in onto him; returns the names of those changed."""
    changed = [f for f in CONTACT_FIELDS if contact.get(f) and contact[f] != getattr(visitor, f)]
    for field in changed:
        setattr(visitor, field, contact[field])
    if changed:
        visitor.save(update_fields=changed)
    return changed


def _dialog_of(visitor: Visitor, *, last_if_none_open: bool) -> Dialog | None:
    dialogs = Dialog.objects.select_for_update(of=("self",)).filter(visitor=visitor)
    dialog = dialogs.filter(status__in=Dialog.OPEN_STATUSES).first()
    if dialog is None and last_if_none_open:
        dialog = dialogs.order_by("-created_at", "-id").first()
    if dialog is not None:
        # The row and the header are rendered from these objects: the new name shows.
        dialog.visitor, dialog.site = visitor, visitor.site
    return dialog


def _create_lead(*, visitor: Visitor, dialog: Dialog | None, source: str, contact: dict, ip):
    lead = Lead.objects.create(
        account_id=visitor.site.account_id,
        site=visitor.site,
        visitor=visitor,
        dialog=dialog,
        source=source,
        name=contact.get("name", ""),
        email=contact.get("email", ""),
        phone=contact.get("phone", ""),
        message=contact.get("message", ""),
        page_url=contact.get("page_url", ""),
        ip=ip or None,
    )
    html = chat_payloads.per_language(render_to_string, "leads/_lead_row.html", {"lead": lead})
    leads_events.lead_received_on_commit(
        site_id=lead.site_id, lead_id=lead.id, source=lead.source, html=html
    )
    hooks.lead_created.send_on_commit(lead=lead)  # crm: automatic export (chat/hooks.py)
    return lead


def contacts_data(visitor: Visitor) -> dict:
    """What the open dialog's header and visitor card show of the visitor."""
    return {
        # Without a name, his nickname: in each console's language (chat.messaging.payloads.pick).
        "name": chat_payloads.per_language(lambda: visitor.display_name),
        "email": visitor.email,
        "phone": visitor.phone,
        "phone_href": "tel:" + re.sub(r"[^0-9+]", "", visitor.phone),
        "avatar_html": chat_payloads.avatar_html(visitor),
    }


def introduction_line(contact: dict) -> dict:
    """The dialog's system line (kind "introduced", registered in LeadsConfig.ready)."""
    details = ", ".join(contact[f] for f in CONTACT_FIELDS if contact.get(f))
    return system_lines.line("introduced", details=details)


def introduction_text(params: dict) -> str:
    """The line in the active language."""
    return _("The visitor introduced themselves: %(details)s") % {"details": params["details"]}


def submit_offline_lead(*, visitor_id: int, ip: str | None, contact: dict) -> Lead:
    """No operator was online: store the visitor's request (OfflineForm's cleaned data).
    His name and contacts are remembered; an open dialog of his is linked and its
    console row shows the name."""
    with transaction.atomic():
        visitor = _locked_visitor(visitor_id)
        take_rate_slot(visitor=visitor, ip=ip)
        changed = _remember_contacts(visitor, contact)
        dialog = _dialog_of(visitor, last_if_none_open=False)
        if dialog is not None and changed:
            operator_ids = [op.id for op in chat_selectors.active_operators(dialog.id)]
            events.visitor_contacts_on_commit(
                dialog, operator_ids, contacts=contacts_data(visitor), row=True
            )
        return _create_lead(
            visitor=visitor, dialog=dialog, source=Lead.Source.OFFLINE_FORM, contact=contact, ip=ip
        )


def introduce_visitor(*, visitor_id: int, ip: str | None, contact: dict) -> Lead:
    """ "Introduce yourself" in a chat (IntroduceForm's cleaned data): the visitor gets the
    name and contacts he filled in, a lead is linked to his open dialog (or his last one),
    and operators see it live: a line in the transcript, the row, the header and card."""
    with transaction.atomic():
        visitor = _locked_visitor(visitor_id)
        take_rate_slot(visitor=visitor, ip=ip)
        _remember_contacts(visitor, contact)
        dialog = _dialog_of(visitor, last_if_none_open=True)
        if dialog is not None:
            operator_ids = [op.id for op in chat_selectors.active_operators(dialog.id)]
            # The message event carries the re-rendered row, so the contacts event does not.
            lifecycle.system_message(dialog, introduction_line(contact), operator_ids)
            events.visitor_contacts_on_commit(
                dialog, operator_ids, contacts=contacts_data(visitor), row=False
            )
        return _create_lead(
            visitor=visitor, dialog=dialog, source=Lead.Source.INTRODUCE, contact=contact, ip=ip
        )
