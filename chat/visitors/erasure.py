"""Erase visitors' personal data (a right-to-be-forgotten request; the admin's action).

What goes: the visitor's name, email, phone and token (a fresh random one replaces it, so
the old token opens nothing), every visit's IP, user agent, pages, referrer, UTM and
location, the text of every message written in his dialogs (visitor's and operators', who
may have repeated his data), the dialogs' previews, his attachments (rows, and files once
the transaction commits), and whatever later apps keep about him (leads delete his leads
through hooks.visitor_erased). Once it commits, his open widget sockets are closed with
4410 (events.visitors_erased_on_commit); a reconnect with the old token is a new visitor.

What stays, so that numbers stay consistent: the visitor row (as an anonymous nickname),
his dialogs with their numbers, statuses and dates, and every message row with its author
and time, its text replaced by ERASED_TEXT. History lists the same dialogs with the same
message counts; "X joined the dialog" lines stay (they name operators, not the visitor).
Blacklist entries keep their address (blocking is the account's, not the visitor's) but
no longer point at him.

The cost is a fixed number of queries whatever the number of visitors, dialogs or messages.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from chat import hooks
from chat.models import Attachment, BlockedIP, Dialog, Message, Visit, Visitor, new_visitor_token
from chat.realtime import events


@dataclass
class Erasure:
    visitors: int
    dialogs: int
    messages: int
    files: int


def erased_text() -> str:
    return _("(erased)")


def _storage():
    return Attachment._meta.get_field("file").storage


@transaction.atomic
def erase_visitors(visitor_ids) -> Erasure:
    visitor_ids = list(visitor_ids)
    visitors = list(Visitor.objects.select_for_update().filter(pk__in=visitor_ids))
    for visitor in visitors:
        visitor.name = visitor.email = visitor.phone = ""
        visitor.token = new_visitor_token()
    Visitor.objects.bulk_update(visitors, ["name", "email", "phone", "token"])
    Visit.objects.filter(visitor__in=visitor_ids).update(
        ip=None,
        user_agent="",
        landing_url="",
        referrer="",
        utm={},
        browser="",
        os="",
        device="",
        country="",
        city="",
        current_url="",
        current_title="",
    )
    dialog_ids = list(Dialog.objects.filter(visitor__in=visitor_ids).values_list("id", flat=True))
    placeholder = erased_text()
    written = Message.objects.filter(
        dialog__in=dialog_ids, author_kind__in=[Message.Author.VISITOR, Message.Author.OPERATOR]
    )
    messages = written.update(text=placeholder)
    Dialog.objects.filter(pk__in=dialog_ids).exclude(last_message_text="").update(
        last_message_text=placeholder
    )
    files = list(
        Attachment.objects.filter(message__dialog__in=dialog_ids).values_list("file", "thumbnail")
    )
    Attachment.objects.filter(message__dialog__in=dialog_ids).delete()
    BlockedIP.objects.filter(visitor__in=visitor_ids).update(visitor=None)
    hooks.visitor_erased.send_within(visitor_ids=visitor_ids, dialog_ids=dialog_ids)
    names = [name for pair in files for name in pair if name]
    # Files go only once the rows are gone for good: a rollback keeps both.
    transaction.on_commit(lambda: [_storage().delete(name) for name in names])
    # His open widgets close (4410): their token opens nothing now (docs/protocol.md).
    events.visitors_erased_on_commit([visitor.id for visitor in visitors])
    return Erasure(
        visitors=len(visitors), dialogs=len(dialog_ids), messages=messages, files=len(files)
    )
