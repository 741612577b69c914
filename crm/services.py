"""Every state change of the export log: one function each, one transaction, the dialog's
export panel republished on commit (crm/events.py) and delivery queued on commit."""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, NotFound
from chat.messaging import payloads as chat_payloads
from crm import events, selectors
from crm.errors import CrmError
from crm.models import Export, Integration
from leads.models import Lead
from satisfaction import selectors as rating_settings
from satisfaction.models import Rating, Scale

logger = logging.getLogger(__name__)

# --- queueing -----------------------------------------------------------------------------


def enqueue(export_id: int) -> None:
    from crm.tasks import deliver_export  # tasks import services

    try:
        deliver_export.delay(export_id)
    except Exception:  # the broker is down: the export stays queued, Retry re-sends it
        logger.exception("could not queue CRM export %s", export_id)


def enqueue_later(export_id: int, seconds: float) -> None:
    """The export's task, due when its next_attempt_at comes (the beat covers it if lost)."""
    from crm.tasks import deliver_export

    try:
        deliver_export.apply_async((export_id,), countdown=seconds)
    except Exception:
        logger.exception("could not queue CRM export %s", export_id)


def publish_panel(dialog_id: int | None) -> None:
    if dialog_id:
        exports = selectors.dialog_exports(dialog_id)
        html = chat_payloads.per_language(selectors.dialog_exports_html, dialog_id, exports=exports)
        events.dialog_export_changed_on_commit(dialog_id, html)


def _queue(integrations, *, dialog_id, lead_id, operator, wait: float = 0) -> list[Export]:
    """wait: seconds a new export waits before its first attempt (an ended dialog's, for its
    rating); an operator's request sends at once, an export already waiting included."""
    exports = []
    for integration in integrations:
        # A double click (or a second hook call) reuses the export still waiting.
        export = Export.objects.filter(
            integration=integration,
            dialog_id=dialog_id,
            lead_id=lead_id,
            status=Export.Status.QUEUED,
        ).first()
        if export is None:
            export = Export.objects.create(
                integration=integration,
                dialog_id=dialog_id,
                lead_id=lead_id,
                requested_by=operator,
                next_attempt_at=timezone.now() + timedelta(seconds=wait) if wait else None,
            )
            if wait:
                transaction.on_commit(lambda export_id=export.id: enqueue_later(export_id, wait))
            else:
                transaction.on_commit(lambda export_id=export.id: enqueue(export_id))
        elif operator is not None:
            _send_waiting_now(Export.objects.filter(pk=export.pk))
        exports.append(export)
    if exports:
        publish_panel(dialog_id)
    return exports


def _send_waiting_now(rows) -> list[int]:
    """Those of rows waiting for the rating are due now, and queued on commit."""
    ids = list(rows.waiting_for_rating().values_list("id", flat=True))
    now = timezone.now()
    Export.objects.filter(pk__in=ids).waiting_for_rating().update(
        next_attempt_at=now, updated_at=now
    )
    for export_id in ids:
        transaction.on_commit(lambda export_id=export_id: enqueue(export_id))
    return ids


def rating_wait_seconds(dialog) -> float:
    """How long the export of an ended dialog waits for the visitor's rating
    (docs/crm.md, "The rating"): CRM_RATING_WAIT_SECONDS when its site asks for ratings, he
    has not rated it yet and a Celery worker can wait (tasks do not run eagerly); else 0."""
    wait = settings.CRM_RATING_WAIT_SECONDS
    if wait <= 0 or current_app.conf.task_always_eager:
        return 0
    scale, _minutes = rating_settings.settings_of_site(dialog.site_id)
    if scale == Scale.OFF or Rating.objects.filter(dialog_id=dialog.id).exists():
        return 0
    return wait


def _active_integrations(account_id: int, **flags) -> list[Integration]:
    return list(
        Integration.objects.filter(account_id=account_id, is_active=True, **flags).order_by("id")
    )


def _no_integration() -> CrmError:
    return CrmError(
        "no_integration",
        _("No CRM integration is active for your account: an administrator adds one in the admin."),
    )


def _lead_for_operator(operator, lead_id) -> Lead:
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("No such lead."))
    if lead.account_id != operator.account_id or lead.site_id not in chat_selectors.site_ids_of(
        operator
    ):
        raise AccessDenied(_("You have no access to this lead."))
    return lead


def queue_dialog_export(*, operator, dialog_id: int) -> list[Export]:
    """Send to CRM from the dialog page: one export per active integration of the account."""
    with transaction.atomic():
        dialog = chat_selectors.dialog_for_operator(operator, dialog_id)
        integrations = _active_integrations(dialog.site.account_id)
        if not integrations:
            raise _no_integration()
        return _queue(integrations, dialog_id=dialog.id, lead_id=None, operator=operator)


def queue_lead_export(*, operator, lead_id: int) -> list[Export]:
    """Send to CRM from the Leads page. A lead left in a chat shows its export in the dialog."""
    with transaction.atomic():
        lead = _lead_for_operator(operator, lead_id)
        integrations = _active_integrations(lead.account_id)
        if not integrations:
            raise _no_integration()
        return _queue(integrations, dialog_id=lead.dialog_id, lead_id=lead.id, operator=operator)


def retry_export(*, operator, export_id: int) -> Export:
    """The same export again (same idempotency key), back to queued. operator=None: the
    Django admin's action, whose permission the admin has checked."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None:
            raise NotFound(_("No such export."))
        if operator is not None:
            if export.dialog_id:
                chat_selectors.dialog_for_operator(operator, export.dialog_id)
            else:
                _lead_for_operator(operator, export.lead_id)
        if export.status == Export.Status.SENT:
            raise CrmError("already_sent", _("This export has been delivered already."))
        if export.status == Export.Status.QUEUED:
            return export  # already on its way
        # A new round of automatic retries, due now. The connector asks the CRM first, so a
        # lead the failed round did make is found, not made again.
        export.status = Export.Status.QUEUED
        export.last_error = ""
        export.updated_at = timezone.now()
        export.retries = 0
        export.retrying_since = None
        export.next_attempt_at = None
        export.save(
            update_fields=[
                "status",
                "last_error",
                "updated_at",
                "retries",
                "retrying_since",
                "next_attempt_at",
            ]
        )
        transaction.on_commit(lambda: enqueue(export.id))
        publish_panel(export.dialog_id)
        return export


# --- automatic exports (chat.hooks, connected in crm.apps) --------------------------------


def on_dialog_ended(dialog) -> list[Export]:
    """The ended dialog's exports wait for its rating (rating_wait_seconds), whichever
    comes first: the visitor's rating (on_dialog_rated) or the end of the wait."""
    with transaction.atomic():
        integrations = _active_integrations(dialog.site.account_id, export_ended_dialogs=True)
        if not integrations:
            return []
        wait = rating_wait_seconds(dialog)
        return _queue(integrations, dialog_id=dialog.id, lead_id=None, operator=None, wait=wait)


def on_dialog_rated(dialog_id: int) -> list[int]:
    """The visitor rated: his dialog's exports that wait for it are sent now, rating and
    all. Exports already sent are not sent again (a rating changed later stays out)."""
    with transaction.atomic():
        ids = _send_waiting_now(Export.objects.filter(dialog_id=dialog_id))
        if ids:
            publish_panel(dialog_id)
        return ids


def on_lead_created(lead) -> list[Export]:
    with transaction.atomic():
        integrations = _active_integrations(lead.account_id, export_new_leads=True)
        return _queue(integrations, dialog_id=lead.dialog_id, lead_id=lead.id, operator=None)
