"""Reads of the tags app, each with a fixed number of queries."""

import copy

from django.db.models import Count, Exists, OuterRef, Prefetch

from operators.models import Operator
from tags.models import DialogTag, Tag

# The attribute a prefetched dialog carries its tag links in (list of DialogTag with tag).
LINKS = "tag_links"


def account_tags(account_id: int):
    """The account's tags by name (one query)."""
    return Tag.objects.filter(account_id=account_id).order_by("name", "id")


def account_tags_with_use(account_id: int) -> list[Tag]:
    """The Tags page: each tag with dialog_count, how many dialogs carry it (one query)."""
    return list(account_tags(account_id).annotate(dialog_count=Count("dialog_tags")))


def tag_of_account(operator: Operator, tag_id) -> Tag | None:
    """The tag if it is the operator's account's (one query), else None."""
    try:
        tag_id = int(tag_id)
    except (TypeError, ValueError):
        return None
    return Tag.objects.filter(pk=tag_id, account_id=operator.account_id).first()


def dialog_ids_tagged(tag: Tag):
    """The ids of the dialogs carrying the tag: a subquery, no query of its own."""
    return DialogTag.objects.filter(tag=tag).values("dialog_id")


def links_prefetch(path: str = "dialog_tags") -> Prefetch:
    """One query for the tags of every dialog of a list, by name."""
    return Prefetch(
        path,
        queryset=DialogTag.objects.select_related("tag").order_by("tag__name", "tag_id"),
        to_attr=LINKS,
    )


def tags_of(dialog) -> list[Tag]:
    """The dialog's tags by name: those a list prefetched (no query), else one query, kept
    on the dialog for the next call (a row rendered in each language)."""
    links = getattr(dialog, LINKS, None)
    if links is None:
        links = list(
            DialogTag.objects.filter(dialog_id=dialog.id)
            .select_related("tag")
            .order_by("tag__name", "tag_id")
        )
        setattr(dialog, LINKS, links)
    return [link.tag for link in links]


def tag_names(dialog) -> list[str]:
    return [tag.name for tag in tags_of(dialog)]


def picker_tags(dialog_id: int, account_id: int) -> list[Tag]:
    """The account's tags by name, each with `on`: whether it is on the dialog (one query
    for the dialog header's control)."""
    on = DialogTag.objects.filter(dialog_id=dialog_id, tag=OuterRef("pk"))
    return list(account_tags(account_id).annotate(on=Exists(on)))


def picker_of(account_tags: list[Tag], on_dialog: list[Tag]) -> list[Tag]:
    """picker_tags without a query, from the account's tags and the dialog's (loaded for
    many dialogs at once): copies, each with its own `on`."""
    on = {tag.id for tag in on_dialog}
    picker = []
    for tag in account_tags:
        mine = copy.copy(tag)
        mine.on = tag.id in on
        picker.append(mine)
    return picker


def header_context(dialog, picker: list[Tag], csrf_token: str = "") -> dict:
    """What the dialog header's tag control shows: the dialog's tags and the account's
    others to pick from (picker: picker_tags)."""
    return {
        "dialog": dialog,
        "tags": [tag for tag in picker if tag.on],
        "free": [tag for tag in picker if not tag.on],
        "has_tags": bool(picker),
        "csrf_token": csrf_token,
    }
