"""Who is online, kept from chat's hooks (chat/hooks.py): the presence store gets each
widget socket's open, page and close; the Visitors tab hears a coalesced row update
(engage/visitors_live.py). No database work here: chat's query counts stay as they are."""

from chat import hooks
from engage import presence_store
from engage.visitors_live import live


def on_socket_opened(*, site, session, socket_id, language, **_ignored):
    visitor_id = session.visitor.id
    presence_store.store().socket_opened(
        site.id,
        visitor_id,
        socket_id,
        visit_id=session.visit.id,
        since=session.visit.started_at.timestamp(),
        language=language,
    )
    live.socket_held(site.id, visitor_id, socket_id, True)
    live.changed(site.id, visitor_id)


def on_page_changed(*, site_id, visit, socket_id, **_ignored):
    presence_store.store().page_changed(
        site_id,
        visit.visitor_id,
        socket_id,
        visit_id=visit.id,
        url=visit.current_url,
        title=visit.current_title,
    )
    live.changed(site_id, visit.visitor_id)


def on_socket_closed(*, site_id, visitor_id, socket_id, **_ignored):
    presence_store.store().socket_closed(site_id, visitor_id, socket_id)
    live.socket_held(site_id, visitor_id, socket_id, False)
    live.changed(site_id, visitor_id)


def on_dialog(*, dialog, **_ignored):
    """His dialog opened, changed operators or ended: the row says with whom he talks."""
    if presence_store.store().entries([(dialog.site_id, dialog.visitor_id)]):
        live.changed(dialog.site_id, dialog.visitor_id)


def connect() -> None:
    hooks.visitor_socket_opened.connect(on_socket_opened)
    hooks.visitor_page_changed.connect(on_page_changed)
    hooks.visitor_socket_closed.connect(on_socket_closed)
    hooks.dialog_opened.connect(on_dialog)
    hooks.dialog_changed.connect(on_dialog)
    hooks.dialog_ended.connect(on_dialog)
