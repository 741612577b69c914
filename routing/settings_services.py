"""Reads and the one change of the console's Routing page (routing/views.py)."""

from django.db import transaction
from django.db.models import Count, Q

from chat.console.presence import online_operators_q
from chat.models import Dialog, Site
from operators.models import Operator
from routing import modes, services
from routing.models import Assignment, OperatorRouting, RoutingSettings


def settings_of(site: Site) -> RoutingSettings:
    """The site's row, unsaved when it has none yet (everyone mode)."""
    return RoutingSettings.objects.filter(site=site).first() or RoutingSettings(site=site)


def site_operators(site: Site) -> list[Operator]:
    """The site's operators with their load: open_dialogs, online and capacity (their own
    limit or None). One query."""
    open_stays = Q(
        participations__left_at__isnull=True,
        participations__dialog__status__in=Dialog.OPEN_STATUSES,
    )
    online_ids = Operator.objects.filter(online_operators_q()).values("pk")
    return list(
        site.operators.select_related("user", "routing")
        .annotate(
            open_dialogs=Count("participations", filter=open_stays, distinct=True),
            is_online=Q(pk__in=online_ids),
        )
        .order_by("display_name", "id")
    )


def own_capacity(operator: Operator) -> int | None:
    routing = getattr(operator, "routing", None)
    return routing.capacity if routing else None


def queued(site: Site, limit: int = 50) -> list[Assignment]:
    """The site's queue, oldest first, with the visitors (one query)."""
    rows = Assignment.objects.queued().filter(dialog__site=site)
    return list(rows.select_related("dialog__visitor")[:limit])


def queue_length(site: Site) -> int:
    return Assignment.objects.queued().filter(dialog__site=site).count()


def save_routing(*, form, capacities: dict[int, int | None], site: Site) -> RoutingSettings:
    """Save the mode, the limits and the operators' own limits in one transaction; then,
    in auto-assign mode, new dialogs go to operators with room (or queue)."""
    with transaction.atomic():
        routing = form.save()
        for operator_id, capacity in capacities.items():
            OperatorRouting.objects.update_or_create(
                operator_id=operator_id, defaults={"capacity": capacity}
            )
        transaction.on_commit(lambda: modes.forget(site.id))
    if routing.auto_assign:
        services.drain_queue(site.account_id)
    return routing
