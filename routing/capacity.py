"""The capacity check chat's transfer asks (chat/dialogs/capacity.py): on a site that
auto-assigns, an operator already at his limit of open dialogs may not be handed one more."""

from django.db.models import Count, Q
from django.utils.translation import ngettext

from chat.models import Dialog
from operators.models import Operator
from routing import modes, services


def refusals(*, operators, dialog) -> dict[int, str]:
    """operator id -> why he may not take the dialog (none refused, and no query once the
    mode is cached, on a site where everyone sees every new dialog; else three queries)."""
    if not operators or not modes.auto_assigns(dialog.site_id):
        return {}
    settings = services.auto_settings(dialog.site_id)
    if settings is None:
        return {}
    open_stays = Q(
        participations__left_at__isnull=True,
        participations__dialog__status__in=Dialog.OPEN_STATUSES,
    )
    rows = (
        Operator.objects.filter(pk__in=[op.id for op in operators])
        .annotate(open_dialogs=Count("participations", filter=open_stays, distinct=True))
        .values_list("id", "open_dialogs", "routing__capacity")
    )
    refused = {}
    for operator_id, open_dialogs, capacity in rows:
        limit = capacity or settings.default_capacity
        if open_dialogs >= limit:
            refused[operator_id] = ngettext(
                "%(count)d open dialog of %(limit)d",
                "%(count)d open dialogs of %(limit)d",
                open_dialogs,
            ) % {"count": open_dialogs, "limit": limit}
    return refused
