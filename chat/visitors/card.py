"""The visitor card of a dialog: who the visitor is, where he is now, how he came, and
which operators talked to him. A selector with a fixed number of queries, plus the
fragments that live updates of the card reuse."""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chat.models import Dialog, Participant, Visit, Visitor
from chat.visitors import visits


@dataclass
class VisitorCard:
    dialog: Dialog
    visitor: Visitor
    visit: Visit | None  # his latest visit: the current page lives there
    stays: list[Participant]  # every operator's stays in this dialog, first joined first

    @property
    def location(self) -> str:
        visit = self.visit
        parts = [visit.city, visit.country] if visit else []
        return ", ".join(p for p in parts if p) or _("unknown")

    @property
    def device(self) -> str:
        device = self.visit.device if self.visit else ""
        return _("Computer") if device == visits.COMPUTER else device

    @property
    def phone_href(self) -> str:
        return "tel:" + re.sub(r"[^0-9+]", "", self.visitor.phone)

    @property
    def utm(self) -> list[tuple[str, str]]:
        utm = self.visit.utm if self.visit and isinstance(self.visit.utm, dict) else {}
        return sorted((str(k), str(v)) for k, v in utm.items())


def latest_visit(visitor_id: int) -> Visit | None:
    return Visit.objects.filter(visitor_id=visitor_id).order_by("-last_activity_at").first()


def visitor_card(dialog: Dialog) -> VisitorCard:
    """The card of a dialog loaded with its visitor (dialog_view does): two queries."""
    stays = Participant.objects.filter(dialog_id=dialog.id).select_related("operator__user")
    return VisitorCard(
        dialog=dialog,
        visitor=dialog.visitor,
        visit=latest_visit(dialog.visitor_id),
        stays=list(stays.order_by("joined_at", "id")),
    )


def current_page_html(visit: Visit) -> str:
    return render_to_string("chat/_visitor_card_page.html", {"visit": visit})


def offline_open_dialog_id(visitor_id: int) -> int | None:
    """The open dialog of a visitor whose last widget socket has closed: one query."""
    return (
        Dialog.objects.filter(
            visitor_id=visitor_id,
            visitor__open_sockets=0,
            status__in=Dialog.OPEN_STATUSES,
        )
        .values_list("id", flat=True)
        .first()
    )
