"""The tags of a dialog's live row without a query per message (docs/tags.md, "Costs").

A row sent live for another reason (a new message, a read, a status) used to read its
dialog's tags in one query each time. Now they come from the cache (Redis in production,
shared by every process), in two keys read together:

- the dialog's tag ids, "tags:dialog:<id>": written [] when the dialog opens (a new dialog
  has no tags: row_parts' `fresh`), filled from the database on a miss, forgotten when a
  tag is put on or taken off (after the commit);
- the account's tags in display order, "tags:account:<id>" ([id, name, colour] each):
  forgotten when a tag is created, renamed, recoloured or deleted, so every row shows the
  new name at its next render.

A dialog without tags never needs the account's list. A miss costs the query it used to
cost every time; the cache is never the only copy of anything."""

from django.core.cache import cache
from django.db import transaction

from tags.models import DialogTag, Tag

TIMEOUT = 24 * 3600


def dialog_key(dialog_id: int) -> str:
    return f"tags:dialog:{dialog_id}"


def account_key(account_id: int) -> str:
    return f"tags:account:{account_id}"


def links_of(dialog) -> list[DialogTag]:
    """The dialog's tag links (each with its tag), by name, as the list prefetch gives."""
    keys = [dialog_key(dialog.id), account_key(dialog.account_id)]
    found = cache.get_many(keys)
    tag_ids = found.get(keys[0])
    if tag_ids is None:
        tag_ids = list(DialogTag.objects.filter(dialog_id=dialog.id).values_list("tag", flat=True))
        cache.set(keys[0], tag_ids, TIMEOUT)
    if not tag_ids:
        return []
    account_tags = found.get(keys[1])
    if account_tags is None:
        account_tags = [
            list(row)
            for row in Tag.objects.filter(account_id=dialog.account_id)
            .order_by("name", "id")
            .values_list("id", "name", "colour")
        ]
        cache.set(keys[1], account_tags, TIMEOUT)
    on = set(tag_ids)
    return [
        DialogTag(
            dialog_id=dialog.id,
            tag=Tag(id=tag_id, account_id=dialog.account_id, name=name, colour=colour),
        )
        for tag_id, name, colour in account_tags
        if tag_id in on
    ]


def opened(dialog) -> None:
    """A dialog just created has no tags: its rows need no query (a rolled-back dialog's
    id is never given again, so the key can do no harm)."""
    cache.set(dialog_key(dialog.id), [], TIMEOUT)


def forget_dialogs_on_commit(dialog_ids) -> None:
    """Their tags changed: the next row reads them again. Also at once, so that a row sent
    before the commit of this change does not keep the old list for long."""
    keys = [dialog_key(dialog_id) for dialog_id in dialog_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_account_on_commit(account_id: int) -> None:
    """A tag of the account was created, renamed, recoloured or deleted."""
    cache.delete(account_key(account_id))
    transaction.on_commit(lambda: cache.delete(account_key(account_id)))
