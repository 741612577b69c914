"""Operator presence, status and console preferences: writes to the Operator row."""

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


def set_language(*, operator: Operator, language: str) -> None:
    """The operator's console language ("" = his browser's); the caller checks it is one
    of settings.LANGUAGES."""
    operator.language = language
    operator.save(update_fields=["language"])


def set_time_zone(*, operator: Operator, time_zone: str) -> None:
    """The operator's time zone ("" = his browser's); the caller checks it is a known zone
    (chat.console.timezones.is_valid: operators does not import chat)."""
    operator.time_zone = time_zone
    operator.save(update_fields=["time_zone"])
