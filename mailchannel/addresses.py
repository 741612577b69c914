"""Signed plus-addresses: where a visitor's reply (r<dialog id>) and a bounce of one of our
e-mails (b<delivery id>) come back to, in the one mailbox MAILCHANNEL_REPLY_ADDRESS.

    chat@example.com  ->  chat+r42-3f9c0a1b2c3d4e5f60718293@example.com

The signature is an HMAC of the kind and id with the server's SECRET_KEY (lowercase hex,
since some mail servers lowercase the local part): an address nobody was given names no
dialog, and no dialog of another account can be reached by changing the number."""

import re
from dataclasses import dataclass
from email.utils import getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "mailchannel.address"
TOKEN = re.compile(r"^(?P<kind>[rb])(?P<id>[0-9]{1,18})-(?P<sig>[0-9a-f]{24})$")
HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


@dataclass(frozen=True)
class Target:
    kind: str  # "r": a reply to dialog `id`; "b": a bounce of delivery `id`
    id: int


class ForgedAddress(ValueError):
    """A plus-address of our mailbox whose signature is wrong."""


def _signature(kind: str, pk: int) -> str:
    return salted_hmac(SALT, f"{kind}{pk}").hexdigest()[:24]


def _mailbox() -> tuple[str, str] | None:
    address = settings.MAILCHANNEL_REPLY_ADDRESS
    if "@" not in address:
        return None
    local, domain = address.rsplit("@", 1)
    return local, domain


def signed(kind: str, pk: int) -> str:
    """The signed address, or "" without MAILCHANNEL_REPLY_ADDRESS."""
    mailbox = _mailbox()
    if mailbox is None:
        return ""
    local, domain = mailbox
    return f"{local}+{kind}{pk}-{_signature(kind, pk)}@{domain}"


def reply_address(dialog_id: int) -> str:
    return signed("r", dialog_id)


def bounce_address(delivery_id: int) -> str:
    return signed("b", delivery_id)


def read(address: str) -> Target | None:
    """The target of one of our plus-addresses; None when the address is not one;
    ForgedAddress when it is ours but its signature is wrong."""
    mailbox = _mailbox()
    if mailbox is None or "@" not in address:
        return None
    local, domain = address.rsplit("@", 1)
    base, plus, token = local.partition("+")
    if not plus or base.lower() != mailbox[0].lower() or domain.lower() != mailbox[1].lower():
        return None
    match = TOKEN.match(token.lower())
    if match is None:
        raise ForgedAddress(address)
    kind, pk = match["kind"], int(match["id"])
    if not constant_time_compare(match["sig"], _signature(kind, pk)):
        raise ForgedAddress(address)
    return Target(kind, pk)


def target_of(message) -> Target | None:
    """The first of our signed addresses among the e-mail's recipients; ForgedAddress
    when one of our plus-addresses is forged (the mail is then refused)."""
    values = [str(v) for header in HEADERS for v in (message.get_all(header) or [])]
    found = None
    for _name, address in getaddresses(values):
        target = read(address.strip())
        if target is not None and found is None:
            found = target
    return found
