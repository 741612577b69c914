"""Changes to an account's tags and to the tags on a dialog.

The account's list (create, rename, recolour, delete) needs Operator.can_manage_site_settings;
any operator who may see a dialog (chat.dialogs.access) puts tags of his account on it or
takes them off. Every change of a dialog's tags is heard live (tags/events.py)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, ChatError, NotFound
from operators.models import Operator
from tags import events, row_cache, selectors
from tags.models import DialogTag, Tag


def ensure_can_manage(operator: Operator) -> None:
    if not operator.can_manage_site_settings:
        raise AccessDenied(_("You may not manage the account's tags."))


def create_tag(*, operator: Operator, name: str, colour: str) -> Tag:
    ensure_can_manage(operator)
    tag = Tag.objects.create(account_id=operator.account_id, name=name, colour=colour)
    row_cache.forget_account_on_commit(tag.account_id)
    return tag


def update_tag(*, operator: Operator, tag: Tag, name: str, colour: str) -> Tag:
    """Rename or recolour: the rows of open consoles show the tag anew at once (live row
    events), any other row and dialog page at its next render."""
    ensure_can_manage(operator)
    if tag.account_id != operator.account_id:
        raise NotFound(_("No such tag."))
    save_changed(tag, name=name, colour=colour)
    return tag


def save_changed(tag: Tag, *, name: str, colour: str) -> None:
    """Rename or recolour (the console's Tags page, the admin), heard live."""
    previous_name, previous_colour = tag.name, tag.colour
    tag.name, tag.colour = name, colour
    tag.save(update_fields=["name", "colour"])
    events.tag_changed_on_commit(tag, previous_name=previous_name, previous_colour=previous_colour)


def delete_tag(*, operator: Operator, tag: Tag) -> None:
    """The tag and every dialog's link to it."""
    ensure_can_manage(operator)
    if tag.account_id != operator.account_id:
        raise NotFound(_("No such tag."))
    tag.delete()
    row_cache.forget_account_on_commit(tag.account_id)


def _tag_and_dialog(operator: Operator, dialog_id: int, tag_id):
    dialog = chat_selectors.dialog_for_operator(operator, dialog_id)  # NotFound / AccessDenied
    tag = selectors.tag_of_account(operator, tag_id)
    if tag is None:
        raise ChatError("invalid", _("No such tag."))
    return dialog, tag


@dataclass(frozen=True)
class Change:
    dialog: object  # the dialog (with site and visitor) the operator may see
    changed: bool  # False: the tag was already there (add) or not there (remove)


def add_to_dialog(*, operator: Operator, dialog_id: int, tag_id) -> Change:
    """Put a tag of the operator's account on a dialog he may see."""
    dialog, tag = _tag_and_dialog(operator, dialog_id, tag_id)
    try:
        with transaction.atomic():
            DialogTag.objects.create(dialog=dialog, tag=tag, added_by=operator)
    except IntegrityError:  # put on by a colleague a moment before
        return Change(dialog, False)
    row_cache.forget_dialogs_on_commit([dialog.id])
    events.dialog_tags_changed_on_commit(dialog, account_id=operator.account_id)
    return Change(dialog, True)


def remove_from_dialog(*, operator: Operator, dialog_id: int, tag_id) -> Change:
    """Take a tag off a dialog the operator may see."""
    dialog, tag = _tag_and_dialog(operator, dialog_id, tag_id)
    removed, _rows = DialogTag.objects.filter(dialog=dialog, tag=tag).delete()
    if not removed:
        return Change(dialog, False)
    row_cache.forget_dialogs_on_commit([dialog.id])
    events.dialog_tags_changed_on_commit(dialog, account_id=operator.account_id)
    return Change(dialog, True)
