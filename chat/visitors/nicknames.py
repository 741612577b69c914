"""No two open dialogs of an account show the same anonymous nickname at once.

A visitor keeps his colour-animal pair (chat/visitors/animals.py) unless another open dialog of
the account already shows it when his dialog opens; then he gets a free pair, or, once
all are taken, his pair with a number ("Grey Bear 2").
"""

from chat.models import Dialog, Visitor
from chat.visitors import animals


def give_free_nickname(*, visitor_id: int, account_id: int, current: str, seed: str) -> str:
    """Called while a dialog of the visitor opens, under the account row's lock (taken for
    the dialog's number), so two dialogs opening at once see each other's nickname.
    Returns the visitor's nickname key, changed only if it was taken: one query, two when
    it changes."""
    taken = set(
        Dialog.objects.filter(account_id=account_id, status__in=Dialog.OPEN_STATUSES)
        .exclude(visitor_id=visitor_id)
        .values_list("visitor__animal", flat=True)
    )
    key = animals.free_key(current, seed, taken)
    if key != current:
        Visitor.objects.filter(pk=visitor_id).update(animal=key)
    return key
