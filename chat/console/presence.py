"""Whether a site has an operator online, kept on Site and told to its visitors live.

An operator counts as online while his status is Online and he has a console socket
open, or closed it less than CHAT_OPERATOR_PRESENCE_GRACE_SECONDS ago (a reload or a
flaky phone connection is not leaving).

A change of an operator's presence goes through one function here (console_opened,
console_closed, status_changed): it writes the operator (operators/services.py) and
refreshes his sites. The beat task (chat/tasks.py) calls refresh_sites for everyone, which
is what turns a site offline once the grace period of its last console has passed.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat import hooks
from chat.dialogs import availability
from chat.models import Site
from chat.realtime import events
from operators import services as operator_services
from operators.models import Operator


def online_operators_q(prefix: str = "") -> Q:
    grace = timezone.now() - timedelta(seconds=settings.CHAT_OPERATOR_PRESENCE_GRACE_SECONDS)
    return Q(**{f"{prefix}status": Operator.Status.ONLINE}) & (
        Q(**{f"{prefix}open_sockets__gt": 0}) | Q(**{f"{prefix}last_seen_at__gte": grace})
    )


def refresh_sites(site_ids=None) -> list[int]:
    """Store each site's online state; visitors of the sites whose state changed are told
    ("online" for them also needs the site inside its business hours). Two queries plus
    one UPDATE per change, and per change the site's hours unless cached
    (chat/dialogs/availability.py), however many sites there are."""
    sites = Site.objects.all() if site_ids is None else Site.objects.filter(id__in=site_ids)
    online = set(
        sites.filter(online_operators_q("operators__")).values_list("id", flat=True).distinct()
    )
    changed = [
        (site_id, site_id in online)
        for site_id, was_online in sites.values_list("id", "operators_online")
        if (site_id in online) != was_online
    ]
    if changed:
        with transaction.atomic():
            for site_id, is_online in changed:
                Site.objects.filter(pk=site_id).update(operators_online=is_online)
                # Outside business hours the widget stays offline whoever comes online.
                events.site_presence_on_commit(
                    site_id, is_online and availability.site_is_open(site_id)
                )
    return [site_id for site_id, _online in changed]


def console_opened(operator: Operator, site_ids) -> None:
    """A console socket of the operator opened: count it, and tell the visitors of those of
    his sites (site_ids) that had no operator online until now."""
    operator_services.console_socket_opened(operator_id=operator.id)
    refresh_sites(site_ids)
    hooks.presence_changed.send_on_commit(operator_ids=[operator.id])


def console_closed(operator: Operator) -> None:
    """A console socket of the operator closed. His sites are not refreshed: he stays online
    for the grace period (a reload is not leaving), and the beat task's refresh_sites turns
    them offline once it has passed."""
    operator_services.console_socket_closed(operator_id=operator.id)
    hooks.presence_changed.send_on_commit(operator_ids=[operator.id])


def status_changed(operator: Operator, status: str) -> None:
    """The operator set his status (one of Operator.Status, else ValueError): store it, and
    tell the visitors of his sites whose online state it changed."""
    operator_services.set_status(operator=operator, status=status)
    # As chat.console.selectors.site_ids_of, which imports this module.
    refresh_sites(set(operator.sites.values_list("id", flat=True)))
    hooks.presence_changed.send_on_commit(operator_ids=[operator.id])


def refresh() -> list[int]:
    """The beat task's pass: every site's online state, and presence_changed for anyone
    whose grace period may have passed since the last pass."""
    changed = refresh_sites()
    hooks.presence_changed.send_on_commit(operator_ids=None)
    return changed
