"""Reads of the tags app, each with a fixed number of queries."""

from django.db.models import Count, Prefetch

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


def header_context(dialog, account_tags, csrf_token="") -> dict:
    """What the dialog header's tag control shows: the dialog's tags, and the account's
    others to pick from."""
    tags = tags_of(dialog)
    on = {tag.id for tag in tags}
    return {
        "dialog": dialog,
        "tags": tags,
        "free": [tag for tag in account_tags if tag.id not in on],
        "has_tags": bool(account_tags),
        "csrf_token": csrf_token,
    }
