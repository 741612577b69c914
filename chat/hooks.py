"""Extension points for apps that build on chat (imports run operators <- chat <- leads <- crm,
so chat and leads cannot call crm): a later app connects a function in its AppConfig.ready(),
and chat or leads send the hook after their transaction commits.

    hooks.dialog_ended.connect(fn)             # fn(dialog=...)
    hooks.dialog_ended.send_on_commit(dialog=dialog)

A receiver that raises is logged and skipped: what the user did has already been committed.

A receiver that only sometimes wants to hear (push, without VAPID keys) says so with
`connect(fn, active=predicate)`: send_on_commit asks the predicates when the change is made
and registers no on-commit callback at all when no receiver wants it (one per message
otherwise, for nothing). A receiver that hears only some sends says which with
`connect(fn, wants=predicate)`: predicate(**kwargs) of the send (messengers hears only
operators' messages, so a visitor's message registers no callback for it).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _always() -> bool:
    return True


class Hook:
    def __init__(self, name: str):
        self.name = name
        self.receivers = []
        self.active = {}  # receiver -> predicate (no argument), for those connected with one
        self.wants = {}  # receiver -> predicate(**kwargs of the send)

    def connect(self, receiver, *, active=None, wants=None) -> None:
        """active: a function without arguments telling whether the receiver wants to hear
        now (read at each send); wants: a function of the send's arguments telling whether
        the receiver wants this one; None: always."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        if active is not None:
            self.active[receiver] = active
        if wants is not None:
            self.wants[receiver] = wants

    def disconnect(self, receiver) -> None:
        if receiver in self.receivers:
            self.receivers.remove(receiver)
        self.active.pop(receiver, None)
        self.wants.pop(receiver, None)

    def listening(self) -> list:
        """The receivers that want to hear now."""
        return [r for r in self.receivers if self.active.get(r, _always)()]

    def send(self, **kwargs) -> None:
        self._call(self.listening(), kwargs)

    def _call(self, receivers, kwargs) -> None:
        for receiver in receivers:
            try:
                receiver(**kwargs)
            except Exception:
                logger.exception("hook %s: receiver %r failed", self.name, receiver)

    def send_on_commit(self, **kwargs) -> None:
        receivers = [r for r in self.listening() if r not in self.wants or self.wants[r](**kwargs)]
        if receivers:
            transaction.on_commit(lambda: self._call(receivers, kwargs))

    def send_within(self, **kwargs) -> None:
        """Run the receivers inside the caller's transaction: one that raises rolls the
        whole change back (for changes that must be all or nothing, like an erasure)."""
        for receiver in list(self.receivers):
            receiver(**kwargs)


# A visitor or an operator posted a new message (chat.messaging.posting.post_visitor_message,
# post_operator_message; not resends, not system lines): receivers get message= and
# dialog=. push sends Web Push for a visitor's.
message_posted = Hook("message_posted")
# A visitor's first message opened a new dialog (chat.dialogs.lifecycle.open_dialog):
# receivers get dialog=.
# push tells the site's operators.
dialog_opened = Hook("dialog_opened")
# A dialog was closed (chat.dialogs.lifecycle.close_locked_dialog): receivers get dialog=.
dialog_ended = Hook("dialog_ended")
# A lead was stored (leads.services): receivers get lead=.
lead_created = Hook("lead_created")
# A visitor's personal data is being erased (chat.visitors.erasure), inside its transaction:
# receivers get visitor_ids= and dialog_ids= and delete or blank their own rows.
visitor_erased = Hook("visitor_erased")
# New dialogs were offered to every online operator (chat.dialogs.offers): receivers get dialogs=
# and operator_ids= (site id -> ids of its online operators). push sends Web Push.
dialogs_offered = Hook("dialogs_offered")
# An operator's presence may have changed (chat.console.presence: a console socket opened
# or closed, a status chosen, or the beat task's refresh after the grace period): receivers
# get operator_ids= (the operators concerned; None after the beat's refresh: any operator
# whose grace period may have passed). They read the operators' state themselves
# (presence.online_operators_q). reports keeps its presence log from it.
# (Apps above chat may keep hooks of their own with this class, in their hooks.py.)
presence_changed = Hook("presence_changed")
# A widget socket opened and its session started (chat.realtime.visitor_socket): receivers
# get site=, session= (chat.visitors.sessions.VisitorSession), socket_id= (the socket's
# channel name) and language= (the browser's, from Accept-Language, may be ""). engage keeps
# who is online from the three visitor_socket_* hooks, without a database write.
visitor_socket_opened = Hook("visitor_socket_opened")
# The visitor is on another page (chat.visitors.sessions.record_page): receivers get
# site_id=, visit= (url and title updated) and socket_id=.
visitor_page_changed = Hook("visitor_page_changed")
# A widget socket closed (chat.visitors.sessions.end_visitor_session): receivers get
# site_id=, visitor_id= and socket_id=.
visitor_socket_closed = Hook("visitor_socket_closed")
# A dialog's status or connected operators changed (chat.realtime.events.
# dialog_changed_on_commit): receivers get dialog= and operators= (connected now).
dialog_changed = Hook("dialog_changed")
# An operator may no longer use the console (chat.console.withdrawal: his user deactivated,
# his operator profile removed from the account or moved to another): receivers get
# operator_ids= and reason= ("operator_deactivated", "operator_removed"). chat closes
# every console socket of theirs (session or access token) with 4401 and the reason.
operator_access_withdrawn = Hook("operator_access_withdrawn")
# Sites were given to or taken from operators (chat.console.withdrawal: set_operator_sites,
# remove_operator_from_site, set_site_operators, delete_site): receivers get sites=
# (operator id -> the ids of the sites he serves now). chat moves every console socket of
# theirs to those sites' groups (OperatorConsumer.chat_sites_changed), without closing it.
operator_sites_changed = Hook("operator_sites_changed")
