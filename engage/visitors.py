"""The Visitors tab's rows: every visitor online on the operator's sites, what the presence
store knows (page, pages seen, language, since) joined with what his visit stored (name,
place, device, source, visit number) and his open dialog. Three queries whatever the
number of rows."""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chat.models import Dialog, Participant, Visit, Visitor
from chat.visitors import visits
from engage import presence_store


@dataclass
class VisitorRow:
    site_id: int
    visitor: Visitor
    visit: Visit
    presence: dict
    dialog: Dialog | None = None
    operators: list = field(default_factory=list)  # connected to his open dialog

    @property
    def since(self) -> datetime:
        return datetime.fromtimestamp(self.presence["since"], UTC)

    @property
    def seconds_on_site(self) -> int:
        return max(0, int(time.time() - self.presence["since"]))

    @property
    def url(self) -> str:
        return self.presence.get("url") or self.visit.current_url

    @property
    def title(self) -> str:
        return self.presence.get("title") or self.visit.current_title

    @property
    def pages(self) -> int:
        return max(1, self.presence.get("pages", 0))

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.visit.city, self.visit.country) if p)

    @property
    def device(self) -> str:
        device = self.visit.device
        return _("Computer") if device == visits.COMPUTER else device

    @property
    def utm(self) -> str:
        utm = self.visit.utm if isinstance(self.visit.utm, dict) else {}
        return ", ".join(f"{k.removeprefix('utm_')}={v}" for k, v in sorted(utm.items()))

    @property
    def in_dialog(self) -> bool:
        return self.dialog is not None

    def matches(self, *, not_in_dialog: bool, page_contains: str) -> bool:
        if not_in_dialog and self.in_dialog:
            return False
        if page_contains:
            needle = page_contains.casefold()
            return needle in self.url.casefold() or needle in self.title.casefold()
        return True


def _rows(entries: dict[tuple[int, int], dict]) -> list[VisitorRow]:
    visit_ids = {entry["visit"] for entry in entries.values()}
    found = Visit.objects.filter(id__in=visit_ids).select_related("visitor")  # query 1
    by_visit = {visit.id: visit for visit in found}
    rows = []
    for (site_id, _visitor_id), entry in entries.items():
        visit = by_visit.get(entry["visit"])
        if visit is not None and visit.visitor.site_id == site_id:  # erased meanwhile: gone
            rows.append(VisitorRow(site_id, visit.visitor, visit, entry))
    by_visitor = {row.visitor.id: row for row in rows}
    dialogs = Dialog.objects.filter(  # query 2
        visitor_id__in=by_visitor, status__in=Dialog.OPEN_STATUSES
    ).only("id", "number", "status", "visitor_id", "site_id")
    by_dialog = {}
    for dialog in dialogs:
        by_visitor[dialog.visitor_id].dialog = dialog
        by_dialog[dialog.id] = by_visitor[dialog.visitor_id]
    stays = Participant.objects.connected().filter(dialog_id__in=by_dialog)  # query 3
    for stay in stays.select_related("operator__user").order_by("joined_at", "id"):
        by_dialog[stay.dialog_id].operators.append(stay.operator)
    rows.sort(key=lambda row: (-row.presence["since"], row.visitor.id))
    return rows


def online_rows(
    site_ids, *, site_id: int | None = None, not_in_dialog=False, page_contains=""
) -> list[VisitorRow]:
    """The Visitors tab, newest visit first, filtered (page_contains: plain text, in the
    page's address or title, any case)."""
    sites = [site_id] if site_id is not None else site_ids
    entries = presence_store.store().online([s for s in sites if s in site_ids])
    rows = _rows(entries)
    return [r for r in rows if r.matches(not_in_dialog=not_in_dialog, page_contains=page_contains)]


def rows_for(keys) -> list[VisitorRow]:
    """The rows of these (site id, visitor id) still online (a live flush)."""
    return _rows(presence_store.store().entries(keys))


def online_counts(site_ids) -> dict[int, int]:
    return presence_store.store().counts(site_ids)


def row_html(row: VisitorRow) -> str:
    return render_to_string("engage/_visitors_row.html", {"row": row})
