"""What an operator may use in the console, changed in one place: his user deactivated,
his operator profile removed, a site taken from him (or given). The rules live here; the
admin (chat/admin.py), management commands and shell code call these functions and nothing
else, so every path closes or narrows the operator's open sockets the same way.

Access withdrawn (deactivate_user(s), remove_operator(s), delete_users, an operator moved to
another account by save_operator): after the commit, hooks.operator_access_withdrawn closes
every console socket of his, on every server process, with 4401 and the reason: those of his
browser session and those an app opened with an access token (api/sockets.py) alike, as
each joins events.operator_group. New ones are refused by the consumer itself: a
deactivated user's session is anonymous (Django's ModelBackend), his tokens authenticate
nothing (api/tokens.py), and a user without an operator profile gets no console
(selectors.operator_for_user).

Sites changed (set_operator_sites, remove_operator_from_site, set_site_operators,
delete_site): a site taken from an operator first ends his stays in its open dialogs, as if
he had left each one (a system line; a dialog nobody else is in goes back to New, in every
colleague's Mine, so the visitor is not left with someone who can no longer answer). After
the commit, hooks.operator_sites_changed tells each of his console sockets his sites as
they are now (OperatorConsumer.chat_sites_changed): the socket leaves the lost sites' groups
at once (rows, offers, other apps' site topics), drops the dialog of a lost site it had
open, refuses frames about that site's dialogs (its site ids are the new ones) and sends a
`sites_changed` frame; console.js then resyncs its lists and leaves a lost dialog's page.
No close, no error: a routine change. A site given to him is joined the same way. The
sites' "operator online" state is refreshed for their visitors."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction

from chat import hooks
from chat.console import presence
from chat.dialogs import lifecycle
from chat.models import Dialog, Participant, Site
from chat.realtime import events
from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED
from operators.models import Operator

DEACTIVATED = "operator_deactivated"
REMOVED = "operator_removed"

Membership = Site.operators.through


# --- access withdrawn: the operator's sockets close with 4401 ---------------------------


def withdraw(operator_ids, *, reason: str) -> None:
    """Close the operators' console sockets once the current transaction commits."""
    operator_ids = sorted({operator_id for operator_id in operator_ids if operator_id})
    if operator_ids:
        hooks.operator_access_withdrawn.send_on_commit(operator_ids=operator_ids, reason=reason)


def _operator_ids_of_users(user_ids) -> list[int]:
    return list(Operator.objects.filter(user__in=user_ids).values_list("pk", flat=True))


def deactivate_user(user) -> None:
    """Deactivate the user (User.is_active=False): his console sockets close."""
    deactivate_users(get_user_model().objects.filter(pk=user.pk))
    user.is_active = False


def deactivate_users(users) -> int:
    """Deactivate a queryset of users (a bulk action, a command); returns how many were
    active. The console sockets of those who were active close."""
    with transaction.atomic():
        user_ids = list(users.filter(is_active=True).values_list("pk", flat=True))
        get_user_model().objects.filter(pk__in=user_ids).update(is_active=False)
        withdraw(_operator_ids_of_users(user_ids), reason=DEACTIVATED)
    return len(user_ids)


def save_user(user) -> None:
    """Save a user edited elsewhere (the admin's form): if this save deactivates him, his
    console sockets close."""
    with transaction.atomic():
        was_active = (
            user.pk is not None
            and get_user_model().objects.filter(pk=user.pk, is_active=True).exists()
        )
        user.save()
        if was_active and not user.is_active:
            withdraw(_operator_ids_of_users([user.pk]), reason=DEACTIVATED)


def delete_users(users) -> None:
    """Delete a queryset of users (their operator profiles go with them)."""
    with transaction.atomic():
        withdraw(_operator_ids_of_users(users.values_list("pk", flat=True)), reason=REMOVED)
        users.delete()


def remove_operators(operators) -> None:
    """Delete a queryset of operator profiles: their console sockets close."""
    with transaction.atomic():
        withdraw(operators.values_list("pk", flat=True), reason=REMOVED)
        operators.delete()


def remove_operator(operator) -> None:
    remove_operators(Operator.objects.filter(pk=operator.pk))


def save_operator(operator) -> None:
    """Save an operator profile edited elsewhere (the admin's form). Moved to another
    account, he is removed from the old one: he leaves its sites (and their dialogs) and
    his console sockets close, as for a removal."""
    with transaction.atomic():
        old_account_id = (
            Operator.objects.filter(pk=operator.pk).values_list("account_id", flat=True).first()
        )
        operator.save()
        if old_account_id is not None and old_account_id != operator.account_id:
            stale = Membership.objects.filter(operator=operator).exclude(
                site__account_id=operator.account_id
            )
            site_ids = set(stale.values_list("site_id", flat=True))
            _take_sites({operator.pk: site_ids})
            presence.refresh_sites(site_ids)
            withdraw([operator.pk], reason=REMOVED)


def close_operator_sockets(*, operator_ids, reason: str) -> None:
    """hooks.operator_access_withdrawn's receiver (ChatConfig.ready): one trip for all."""
    close = events.close_event(CLOSE_UNAUTHENTICATED, reason)
    events.publish(*((events.operator_group(operator_id), close) for operator_id in operator_ids))


# --- sites given and taken: the operator's sockets follow, without closing -------------


def set_operator_sites(operator, sites) -> None:
    """The operator serves exactly these sites (of his account) from now on."""
    wanted = {site.pk for site in sites}
    with transaction.atomic():
        held = set(Membership.objects.filter(operator=operator).values_list("site_id", flat=True))
        _give_sites({operator.pk: wanted - held})
        _take_sites({operator.pk: held - wanted})
        _tell([operator.pk], sites_changed=wanted ^ held)


def remove_operator_from_site(operator, site) -> None:
    """The operator no longer serves this site (he keeps his others)."""
    with transaction.atomic():
        if _take_sites({operator.pk: {site.pk}}):
            _tell([operator.pk], sites_changed={site.pk})


def add_operator_to_site(operator, site) -> None:
    with transaction.atomic():
        if not Membership.objects.filter(operator=operator, site=site).exists():
            _give_sites({operator.pk: {site.pk}})
            _tell([operator.pk], sites_changed={site.pk})


def set_site_operators(site, operators) -> None:
    """The site is served by exactly these operators (the site's admin page)."""
    wanted = {operator.pk for operator in operators}
    with transaction.atomic():
        held = set(Membership.objects.filter(site=site).values_list("operator_id", flat=True))
        _give_sites({operator_id: {site.pk} for operator_id in wanted - held})
        _take_sites({operator_id: {site.pk} for operator_id in held - wanted})
        _tell(sorted(wanted ^ held), sites_changed={site.pk})


def delete_site(site) -> None:
    """Delete a site (its dialogs go with it): its operators' sockets leave it first."""
    with transaction.atomic():
        operator_ids = list(
            Membership.objects.filter(site=site).values_list("operator_id", flat=True)
        )
        Membership.objects.filter(site=site).delete()
        _tell(operator_ids, sites_changed=set())
        site.delete()


def _give_sites(gained: dict[int, set[int]]) -> bool:
    rows = [
        Membership(operator_id=operator_id, site_id=site_id)
        for operator_id, site_ids in gained.items()
        for site_id in site_ids
    ]
    Membership.objects.bulk_create(rows, ignore_conflicts=True)
    return bool(rows)


def _take_sites(lost: dict[int, set[int]]) -> bool:
    """End each operator's stays in the open dialogs of the sites he loses (as a leave),
    then remove the memberships. Returns whether any membership was removed."""
    lost = {operator_id: site_ids for operator_id, site_ids in lost.items() if site_ids}
    if not lost:
        return False
    stays = Participant.objects.connected().filter(
        dialog__status__in=Dialog.OPEN_STATUSES,
        operator_id__in=list(lost),
        dialog__site_id__in={site_id for site_ids in lost.values() for site_id in site_ids},
    )
    leaving = defaultdict(set)
    for operator_id, dialog_id, site_id in stays.values_list(
        "operator_id", "dialog_id", "dialog__site_id"
    ):
        if site_id in lost[operator_id]:
            leaving[operator_id].add(dialog_id)
    for operator in Operator.objects.select_related("user").filter(pk__in=list(leaving)):
        for dialog_id in sorted(leaving[operator.pk]):
            lifecycle.leave_dialog(operator=operator, dialog_id=dialog_id)
    removed = 0
    for operator_id, site_ids in lost.items():
        removed += Membership.objects.filter(
            operator_id=operator_id, site_id__in=site_ids
        ).delete()[0]
    return bool(removed)


def _tell(operator_ids, *, sites_changed) -> None:
    """After the commit, each operator's sockets hear his sites as they are now."""
    if sites_changed:
        presence.refresh_sites(sites_changed)
    if not operator_ids:
        return
    sites = defaultdict(list)
    for operator_id, site_id in Membership.objects.filter(
        operator_id__in=list(operator_ids)
    ).values_list("operator_id", "site_id"):
        sites[operator_id].append(site_id)
    hooks.operator_sites_changed.send_on_commit(
        sites={operator_id: sorted(sites[operator_id]) for operator_id in operator_ids}
    )


def move_sockets_to_sites(*, sites) -> None:
    """hooks.operator_sites_changed's receiver (ChatConfig.ready): one trip for all."""
    events.publish(
        *(
            (
                events.operator_group(operator_id),
                {"type": "chat.sites_changed", "sites": list(site_ids)},
            )
            for operator_id, site_ids in sites.items()
        )
    )
