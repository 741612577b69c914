"""Reads of endpoints and deliveries, always within the operator's account."""

from django.conf import settings

from chat.errors import NotFound
from webhooks.models import Delivery, Endpoint


def account_endpoints(account_id: int):
    return Endpoint.objects.filter(account_id=account_id).order_by("id")


def endpoint_of_account(account_id: int, endpoint_id) -> Endpoint:
    """The account's endpoint; another account's id is as unknown as a missing one."""
    endpoint = account_endpoints(account_id).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such endpoint.")
    return endpoint


def delivery_of_account(account_id: int, delivery_id) -> Delivery:
    delivery = (
        Delivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, endpoint__account_id=account_id)
        .first()
    )
    if delivery is None:
        raise NotFound("No such delivery.")
    return delivery


def delivery_log(endpoint: Endpoint) -> list[Delivery]:
    """The last WEBHOOKS_DELIVERY_LOG_SIZE deliveries to the endpoint, newest first (one query)."""
    rows = Delivery.objects.filter(endpoint=endpoint).defer("payload")
    return list(rows.order_by("-id")[: settings.WEBHOOKS_DELIVERY_LOG_SIZE])


def listening_endpoints(account_id: int, event: str) -> list[Endpoint]:
    """The account's active endpoints subscribed to the event (filtered here: JSON lookups
    differ between SQLite and PostgreSQL, and an account has a handful)."""
    rows = Endpoint.objects.filter(account_id=account_id, is_active=True)
    return [endpoint for endpoint in rows if event in (endpoint.events or [])]
