"""Reads of the export log for pages and live updates, each with a fixed number of queries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from crm.models import Export


def _latest_per_integration(exports) -> list[Export]:
    """The newest export to each integration, in the order of the integrations' names."""
    latest = {}
    for export in exports:
        latest.setdefault(export.integration_id, export)
    return sorted(latest.values(), key=lambda e: (e.integration.name, e.integration_id))


def dialog_exports(dialog_id: int) -> list[Export]:
    """One query: the state of the dialog's exports (its leads' exports included)."""
    rows = (
        Export.objects.filter(dialog_id=dialog_id)
        .select_related("integration")
        .order_by("-created_at", "-id")
    )
    return _latest_per_integration(rows)


def lead_exports(lead_id: int) -> list[Export]:
    """One query."""
    rows = (
        Export.objects.filter(lead_id=lead_id)
        .select_related("integration")
        .order_by("-created_at", "-id")
    )
    return _latest_per_integration(rows)


def lead_export_states(lead_ids) -> dict[int, str]:
    """One query for a page of leads: lead id -> the summary status of its exports
    (failed if any integration's latest failed, else queued if any is queued, else sent)."""
    latest: dict[tuple[int, int], str] = {}
    rows = (
        Export.objects.filter(lead_id__in=list(lead_ids))
        .order_by("-created_at", "-id")
        .values_list("lead_id", "integration_id", "status")
    )
    for lead_id, integration_id, status in rows:
        latest.setdefault((lead_id, integration_id), status)
    states: dict[int, str] = {}
    rank = {Export.Status.FAILED: 3, Export.Status.QUEUED: 2, Export.Status.SENT: 1}
    for (lead_id, _integration), status in latest.items():
        if rank[status] > rank.get(states.get(lead_id), 0):
            states[lead_id] = status
    return states


def dialog_exports_html(dialog_id: int, csrf_token: str = "", exports=None) -> str:
    """exports: already read (the publisher renders the panel once per language)."""
    if exports is None:
        exports = dialog_exports(dialog_id)
    return render_to_string(
        "crm/_dialog_exports.html",
        {"dialog_id": dialog_id, "exports": exports, "csrf_token": csrf_token},
    )


def export_for_delivery(export_id: int) -> Export | None:
    """The export with everything its payload needs (one query; the transcript and the
    visitor card add their own, crm/payloads.py)."""
    return (
        Export.objects.select_related(
            "integration",
            "dialog__site",
            "dialog__visitor",
            "lead__site",
            "lead__visitor",
            "lead__dialog__site",
            "lead__dialog__visitor",
        )
        .filter(pk=export_id)
        .first()
    )


def crm_lead_of(export: Export) -> tuple[str, bool, str]:
    """One query: which lead in the CRM this export makes or updates. Every export of one
    dialog to one integration (its leads' too) goes to the same CRM lead, keyed by the
    first one's idempotency key: (key, whether that is this export's own, the lead's id in
    the CRM if an export of the group has learnt it)."""
    if not export.dialog_id:
        return str(export.idempotency_key), True, export.remote_id
    group = list(
        Export.objects.filter(integration_id=export.integration_id, dialog_id=export.dialog_id)
        .order_by("id")
        .values_list("id", "idempotency_key", "remote_id")
    )
    first_id, key, _ = group[0]
    remote_id = next((rid for _, _, rid in group if rid), "")
    return str(key), first_id == export.pk, remote_id


def stale_queued_exports(*, now=None, for_update: bool = False) -> list[int]:
    """Queued exports nobody holds whose attempt is overdue by the margin, not queued again
    within the last CRM_RETRY_CAP_SECONDS."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.CRM_REQUEUE_MARGIN_SECONDS)
    recently = now - timedelta(seconds=settings.CRM_RETRY_CAP_SECONDS)
    rows = (
        Export.objects.filter(status=Export.Status.QUEUED)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(
            Q(next_attempt_at__lt=overdue) | Q(next_attempt_at__isnull=True, updated_at__lt=overdue)
        )
        .filter(Q(requeued_at__isnull=True) | Q(requeued_at__lt=recently))
    )
    if for_update:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows.order_by("id").values_list("id", flat=True)[:500])
