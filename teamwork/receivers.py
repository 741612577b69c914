"""What teamwork does when chat tells it something (chat/hooks.py)."""

from chat.visitors.erasure import erased_text
from teamwork.models import Note


def visitor_erased(*, visitor_ids, dialog_ids, **kwargs) -> None:
    """Notes may repeat the visitor's data: their text goes as messages' text goes."""
    Note.objects.filter(dialog_id__in=list(dialog_ids)).update(text=erased_text())
