"""Web Push: who gets a push and what it says, subscribing a device, sending one push.

Pushes go only when VAPID keys are configured (enabled()) and only to operators whose
console is closed (Operator.open_sockets == 0): an open console alerts by itself.

    (a) a new dialog: every online operator of its site;
    (b) an offer (chat/dialogs/offers.py): every online operator of the site;
    (c) a visitor's message: the operators connected to the dialog.
"""

import json
import logging

import requests
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from chat.models import Dialog, Message, Participant
from operators.models import Operator
from push.models import PushSubscription

logger = logging.getLogger(__name__)

GONE = (404, 410)


class TransientPushError(Exception):
    """The push service failed for now (5xx, 429, network): the task retries later."""


def enabled() -> bool:
    return bool(
        settings.WEBPUSH_VAPID_PUBLIC_KEY
        and settings.WEBPUSH_VAPID_PRIVATE_KEY
        and settings.WEBPUSH_VAPID_SUBJECT
    )


# --- subscriptions (push/views.py) ------------------------------------------------------


class InvalidSubscription(ValueError):
    pass


def subscribe(operator: Operator, data, user_agent: str = "") -> PushSubscription:
    """Store what PushManager.subscribe() gave (its toJSON()); an endpoint subscribed again
    (even by another login on the same browser) now belongs to this operator."""
    if not isinstance(data, dict):
        raise InvalidSubscription("A subscription object is expected.")
    endpoint = data.get("endpoint")
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not (
        isinstance(endpoint, str) and endpoint.startswith("https://") and len(endpoint) <= 1000
    ):
        raise InvalidSubscription("endpoint must be an https URL.")
    if not all(isinstance(key, str) and 0 < len(key) <= 200 for key in (p256dh, auth)):
        raise InvalidSubscription("keys.p256dh and keys.auth are required.")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "operator": operator,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": user_agent[:300],
            "failures": 0,
        },
    )
    return subscription


def unsubscribe(operator: Operator, endpoint) -> int:
    """Forget the operator's own subscription of this endpoint (never a colleague's)."""
    if not isinstance(endpoint, str):
        return 0
    deleted, _ = PushSubscription.objects.filter(operator=operator, endpoint=endpoint).delete()
    return deleted


# --- who gets what ----------------------------------------------------------------------


def _closed_consoles():
    return PushSubscription.objects.filter(operator__open_sockets=0).select_related("operator")


def new_dialog_pushes(dialog_id: int) -> list[tuple[int, dict]]:
    """(a) (subscription id, payload) pairs for a dialog just opened by a visitor."""
    dialog = Dialog.objects.select_related("site", "visitor").filter(pk=dialog_id).first()
    if dialog is None or dialog.status != Dialog.Status.NEW:
        return []
    subscriptions = _closed_consoles().filter(
        operator__sites=dialog.site_id, operator__status=Operator.Status.ONLINE
    )
    return [
        (sub.id, payload(sub.operator, "new", dialog, text=dialog.last_message_text))
        for sub in subscriptions
    ]


def offer_pushes(dialog_ids) -> list[tuple[int, dict]]:
    """(b) for dialogs offered to every online operator (chat/dialogs/offers.py)."""
    from chat.dialogs.offers import waiting_minutes

    by_site: dict[int, list[Dialog]] = {}
    for dialog in Dialog.objects.select_related("site", "visitor").filter(
        pk__in=dialog_ids, status=Dialog.Status.NEW, read_up_to=0
    ):
        by_site.setdefault(dialog.site_id, []).append(dialog)
    subscriptions = (
        _closed_consoles()
        .filter(operator__sites__in=list(by_site), operator__status=Operator.Status.ONLINE)
        .annotate(site_id=F("operator__sites"))
    )
    now = timezone.now()
    return [
        (sub.id, payload(sub.operator, "offer", dialog, minutes=waiting_minutes(dialog, now)))
        for sub in subscriptions
        for dialog in by_site.get(sub.site_id, [])
    ]


def message_pushes(message_id: int) -> list[tuple[int, dict]]:
    """(c) for a visitor's message: the operators connected to the dialog."""
    message = (
        Message.objects.select_related("dialog__visitor", "dialog__site")
        .filter(pk=message_id, author_kind=Message.Author.VISITOR)
        .first()
    )
    if message is None:
        return []
    connected = Participant.objects.connected().filter(dialog=message.dialog_id)
    subscriptions = _closed_consoles().filter(operator__in=connected.values("operator"))
    text = message.text or _("File")
    return [
        (sub.id, payload(sub.operator, "message", message.dialog, text=text))
        for sub in subscriptions
    ]


def payload(operator: Operator, kind: str, dialog: Dialog, *, text: str = "", minutes: int = 0):
    """The JSON the service worker shows: {title, body, url, tag}, in the operator's language."""
    with translation.override(operator.language or settings.LANGUAGE_CODE):
        name = dialog.visitor.display_name
        values = {"number": dialog.number, "name": name, "site": dialog.site.name}
        if kind == "new":
            title = _("New dialog #%(number)s · %(site)s") % values
            body = f"{name}: {text}" if text else name
        elif kind == "offer":
            title = _("Nobody has opened dialog #%(number)s") % values
            body = f"{name} · " + _("waiting %(minutes)s min") % {"minutes": minutes}
        else:
            title = _("New message in dialog #%(number)s") % values
            body = f"{name}: {text}"
    return {
        "title": str(title),
        "body": Truncator(body).chars(180),
        "url": reverse("console:dialog", args=[dialog.id]),
        "tag": f"dialog-{dialog.id}",
    }


# --- sending ------------------------------------------------------------------------------


def send(subscription_id: int, data: dict) -> str:
    """Send one push. Returns "sent", "gone" (the browser dropped the subscription: it is
    deleted), "failed" (refused for good) or "missing"; raises TransientPushError when the
    push service should be asked again later."""
    subscription = PushSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return "missing"
    try:
        webpush(
            subscription_info=subscription.info(),
            data=json.dumps(data, ensure_ascii=False),
            vapid_private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
            # A fresh dict each time: pywebpush writes the endpoint's origin into it as "aud".
            vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
            ttl=settings.WEBPUSH_TTL,
            timeout=10,
            headers={"Urgency": "high"},
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE:
            subscription.delete()
            return "gone"
        _count_failure(subscription)
        if status is None or status == 429 or status >= 500:
            raise TransientPushError(f"push service answered {status}") from error
        logger.warning("push to subscription %s refused: %s", subscription.id, status)
        return "failed"
    except requests.RequestException as error:
        _count_failure(subscription)
        raise TransientPushError(str(error)) from error
    PushSubscription.objects.filter(pk=subscription.pk).update(
        last_success_at=timezone.now(), failures=0
    )
    return "sent"


def _count_failure(subscription):
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
