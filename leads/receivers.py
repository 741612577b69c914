"""Receivers of chat.hooks (connected in LeadsConfig.ready)."""

from django.db.models import Q

from leads.models import Lead


def visitor_erased(*, visitor_ids, dialog_ids, **_):
    """A right-to-be-forgotten erasure (chat.visitors.erasure): the visitor's leads go with it,
    in its transaction (their CRM exports are deleted with them)."""
    Lead.objects.filter(Q(visitor__in=visitor_ids) | Q(dialog__in=dialog_ids)).delete()
