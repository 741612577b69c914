"""Operator presence and status."""

from django.db.models import F
from django.utils import timezone

from operators.models import Operator


def console_socket_opened(*, operator_id: int) -> None:
    Operator.objects.filter(pk=operator_id).update(
        open_sockets=F("open_sockets") + 1, last_seen_at=timezone.now()
    )


def console_socket_closed(*, operator_id: int) -> None:
    Operator.objects.filter(pk=operator_id, open_sockets__gt=0).update(
        open_sockets=F("open_sockets") - 1, last_seen_at=timezone.now()
    )


def set_status(*, operator: Operator, status: str) -> None:
    if status not in Operator.Status.values:
        raise ValueError(f"unknown status {status!r}")
    Operator.objects.filter(pk=operator.pk).update(status=status)
    operator.status = status
