"""The account's blacklist of visitor IPs: matching rules, reads and the block/unblock services.

An entry is an address or a CIDR range, stored normalised by ``ipaddress.ip_network``
("203.0.113.7/32", "2001:db8::/32"). IPv4-mapped IPv6 addresses ("::ffff:203.0.113.7",
what a dual-stack socket reports for an IPv4 peer) are treated as the IPv4 address.

A block closes the blocked visitor's open sockets at once (the ``chat.blocked`` event to
his group). Every later widget socket and widget page from a blocked address is refused,
whoever's token it carries; other visitors already connected from the same address keep
their socket until it reconnects.

A visitor who wrote only by e-mail (mailchannel: no visit, so no IP) is blocked by his
e-mail address instead: an entry with ``email`` and no network. ``is_sender_blocked`` is
the one rule for e-mail (mailchannel/inbound.py asks it of every mail): a sender is blocked
when his address is on the blacklist, or when it is the address of a visitor blocked by IP.
His new e-mails then open no dialog and are added to none.
"""

import ipaddress
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.console import selectors
from chat.dialogs import access, lifecycle
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import system_lines
from chat.models import BlockedIP, Dialog, Visit
from chat.realtime import events
from operators.models import Operator

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REASON_MAX_LENGTH = BlockedIP._meta.get_field("reason").max_length


# --- rules ------------------------------------------------------------------------------


def parse_address(ip) -> Address | None:
    """The address of a client, or None when it is missing or not an IP (a unix socket)."""
    if not isinstance(ip, str) or not ip.strip():
        return None
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def parse_network(text) -> Network:
    """An address or CIDR range as the blacklist stores it; ValidationError if it is not one."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            gettext_lazy(
                "Enter an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24 "
                "or 2001:db8::/32."
            ),
            code="invalid",
        ) from None
    mapped = network.network_address.ipv4_mapped if network.version == 6 else None
    if mapped is not None and network.prefixlen >= 96:
        network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    if network.prefixlen == 0:
        raise ValidationError(
            gettext_lazy("This range holds every address: it would block all visitors."),
            code="too_wide",
        )
    return network


def normalise_network(text) -> str:
    return str(parse_network(text))


def host_network(address: Address) -> str:
    """The one-address network of an address: a /32 or a /128."""
    return str(ipaddress.ip_network(address))


def _match(address: Address | None, entries) -> int | None:
    """The id of the first (id, network) entry that holds the address."""
    if address is None:
        return None
    for entry_id, text in entries:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:  # a row written around the form; it blocks nothing
            continue
        if network.version == address.version and address in network:
            return entry_id
    return None


def _entries(account_id: int):
    return BlockedIP.objects.filter(account_id=account_id).values_list("id", "network")


def is_sender_blocked(account_id: int, address: str, *, visitor_id: int | None = None) -> bool:
    """Whether e-mails from this address (or from this visitor) are refused: the address is
    on the account's blacklist, or belongs to a visitor blocked by IP. One query."""
    address = (address or "").strip()
    rule = Q(visitor_id=visitor_id) if visitor_id is not None else Q(pk__in=[])
    if address:
        rule |= Q(email__iexact=address) | Q(visitor__email__iexact=address)
    return BlockedIP.objects.filter(rule, account_id=account_id).exists()


def blocked_entry_id(account_id: int, ip) -> int | None:
    """The blacklist entry that holds this IP, in one query (none if the IP is unknown)."""
    address = parse_address(ip)
    if address is None:
        return None
    return _match(address, _entries(account_id))


def is_blocked(account_id: int, ip) -> bool:
    return blocked_entry_id(account_id, ip) is not None


def is_blocked_by(entries, ip) -> bool:
    """is_blocked, for the account's entries (id, network) read already."""
    return _match(parse_address(ip), entries) is not None


# --- reads ------------------------------------------------------------------------------


def _current_ip(visitor_id: int):
    """The IP of the visitor's latest visit that has one (where he is now), as a query."""
    return (
        Visit.objects.filter(visitor_id=visitor_id, ip__isnull=False)
        .order_by("-last_activity_at", "-id")
        .values_list("ip", flat=True)[:1]
    )


def shown_network(text: str) -> str:
    """A one-address network is shown as the address: 203.0.113.7, not 203.0.113.7/32."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return text
    return str(network.network_address) if network.num_addresses == 1 else str(network)


@dataclass
class DialogBlockState:
    """What the dialog menu offers: block the visitor, or lift the entry that blocks him."""

    entry_id: int | None
    network: str | None  # the entry, as shown
    # Block would take his e-mail address (he wrote only by e-mail), else "" (his IP).
    email: str = ""

    @property
    def is_blocked(self) -> bool:
        return self.entry_id is not None


def blocks_by_email(visitor, latest_visit) -> str:
    """The address Block takes for a visitor who wrote only by e-mail (no visit of his has
    an IP), else "" (Block takes his IP)."""
    if latest_visit is not None and latest_visit.ip:
        return ""
    return (visitor.email or "").strip().lower()


def dialog_block_state(dialog: Dialog, latest_visit=None) -> DialogBlockState:
    """Whether the visitor's current IP, or his e-mail address, is blacklisted, in one
    query. dialog: loaded with its visitor; latest_visit: his latest visit (the visitor
    card's), or None when he has none."""
    # Each entry carries the visitor's current IP: with no entries nothing is blocked and
    # the IP does not matter, so one query answers both.
    rows = list(
        BlockedIP.objects.filter(account_id=dialog.account_id)
        .annotate(visitor_ip=Subquery(_current_ip(dialog.visitor_id)))
        .values_list("id", "network", "visitor_ip", "email")
    )
    address = parse_address(rows[0][2]) if rows else None
    entry_id = _match(address, [(row[0], row[1]) for row in rows])
    email = (dialog.visitor.email or "").strip().lower()
    if entry_id is None and email:
        entry_id = next((row[0] for row in rows if row[3] and row[3].lower() == email), None)
    entry = next((row for row in rows if row[0] == entry_id), None)
    shown = entry and (shown_network(entry[1]) if entry[1] else entry[3])
    return DialogBlockState(
        entry_id=entry_id, network=shown, email=blocks_by_email(dialog.visitor, latest_visit)
    )


def blocked_list(operator: Operator) -> list[BlockedIP]:
    """The account's blacklist, newest first, in one query. Each entry gets
    ``dialog_id``: the visitor's latest dialog on one of the operator's sites, or None."""
    latest_dialog = (
        Dialog.objects.filter(visitor_id=OuterRef("visitor_id"), site__operators=operator)
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    entries = list(
        BlockedIP.objects.filter(account_id=operator.account_id)
        .select_related("blocked_by__user", "visitor")
        .annotate(dialog_id=Subquery(latest_dialog))
        .order_by("-created_at", "-id")
    )
    for entry in entries:
        entry.shown_network = shown_network(entry.network) if entry.network else entry.email
    return entries


# --- services ---------------------------------------------------------------------------


def _clean_reason(reason) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise ChatError("invalid", "The reason must be text.")
    return reason.replace("\x00", "").strip()[:REASON_MAX_LENGTH]


def block_visitor(*, operator: Operator, dialog_id: int, reason: str = "") -> BlockedIP:
    """Blacklist the IP of the dialog's visitor, end the dialog and close his sockets; a
    visitor who wrote only by e-mail (no IP known) is blacklisted by his e-mail address.

    Blocking an address that is already blacklisted (by itself or by a range) adds no
    entry; the dialog is still ended and the visitor's sockets closed."""
    with transaction.atomic():
        reason = _clean_reason(reason)
        dialog = lifecycle.lock_dialog(dialog_id)
        operators = selectors.active_operators(dialog.id)
        operator_ids = [op.id for op in operators]
        allowed = dialog.account_id == operator.account_id and (
            operator.id in operator_ids
            or access.can_view_dialog(
                operator, dialog, selectors.site_ids_of(operator), operator_ids
            )
        )
        if not allowed:
            raise AccessDenied()
        address = parse_address(_current_ip(dialog.visitor_id).first())
        email = (dialog.visitor.email or "").strip().lower() if address is None else ""
        if address is None and not email:
            raise ChatError(
                "no_ip",
                _("Neither the visitor's IP address nor his e-mail address is known: nothing "
                  "to block."),
            )  # fmt: skip
        entry_id = _match(address, _entries(dialog.account_id))
        if email:
            entry, _created = BlockedIP.objects.get_or_create(
                account_id=dialog.account_id,
                email=email,
                defaults={"reason": reason, "blocked_by": operator, "visitor": dialog.visitor},
            )
        elif entry_id is not None:
            entry = BlockedIP.objects.get(pk=entry_id)
        else:
            entry, _created = BlockedIP.objects.get_or_create(
                account_id=dialog.account_id,
                network=host_network(address),
                defaults={"reason": reason, "blocked_by": operator, "visitor": dialog.visitor},
            )
        if dialog.is_open:
            # The line names the operator and the block: the console's only. The visitor's
            # widget sees the dialog end and then "The chat is not available" (widget.js).
            note = system_lines.line("ended_and_blocked", name=operator.name)
            lifecycle.close_locked_dialog(dialog, note=note, note_by=operator)
        events.visitor_blocked_on_commit(dialog.visitor_id)
        return entry


def unblock(*, operator: Operator, blocked_id: int) -> None:
    """Lift a blacklist entry of the operator's account: the address may chat again."""
    with transaction.atomic():
        entry = BlockedIP.objects.select_for_update().filter(pk=blocked_id).first()
        if entry is None:
            raise NotFound("No such blocked address.")
        if entry.account_id != operator.account_id:
            raise AccessDenied("This blocked address belongs to another account.")
        entry.delete()
