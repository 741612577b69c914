"""Receivers of chat.hooks (connected in SatisfactionConfig.ready)."""

from satisfaction.models import Rating


def visitor_erased(*, dialog_ids, **_):
    """A right-to-be-forgotten erasure (chat.visitors.erasure): what the visitor wrote in
    his ratings goes, in its transaction; the scores stay, like the dialogs' numbers."""
    Rating.objects.filter(dialog__in=dialog_ids).update(comment="")
