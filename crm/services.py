"""Every state change of the export log: one function each, one transaction, the dialog's
export panel republished on commit (chat/events.py) and delivery queued on commit."""

import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import events
from chat import payloads as chat_payloads
from chat import selectors as chat_selectors
from chat.errors import AccessDenied, NotFound
from crm import payloads, selectors
from crm.connectors import ConnectorError, connector_for, encode_body
from crm.errors import CrmError
from crm.models import Export, Integration
from leads.models import Lead

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"
EXCERPT_LENGTH = 500


# --- queueing -----------------------------------------------------------------------------


def _enqueue(export_id: int) -> None:
    from crm.tasks import deliver_export  # tasks import services

    try:
        deliver_export.delay(export_id)
    except Exception:  # the broker is down: the export stays queued, Retry re-sends it
        logger.exception("could not queue CRM export %s", export_id)


def _publish(dialog_id: int | None) -> None:
    if dialog_id:
        exports = selectors.dialog_exports(dialog_id)
        html = chat_payloads.per_language(selectors.dialog_exports_html, dialog_id, exports=exports)
        events.dialog_export_changed_on_commit(dialog_id, html)


def _queue(integrations, *, dialog_id, lead_id, operator) -> list[Export]:
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
                integration=integration, dialog_id=dialog_id, lead_id=lead_id, requested_by=operator
            )
            transaction.on_commit(lambda export_id=export.id: _enqueue(export_id))
        exports.append(export)
    if exports:
        _publish(dialog_id)
    return exports


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


@transaction.atomic
def queue_dialog_export(*, operator, dialog_id: int) -> list[Export]:
    """Send to CRM from the dialog page: one export per active integration of the account."""
    dialog = chat_selectors.dialog_for_operator(operator, dialog_id)
    integrations = _active_integrations(dialog.site.account_id)
    if not integrations:
        raise _no_integration()
    return _queue(integrations, dialog_id=dialog.id, lead_id=None, operator=operator)


@transaction.atomic
def queue_lead_export(*, operator, lead_id: int) -> list[Export]:
    """Send to CRM from the Leads page. A lead left in a chat shows its export in the dialog."""
    lead = _lead_for_operator(operator, lead_id)
    integrations = _active_integrations(lead.account_id)
    if not integrations:
        raise _no_integration()
    return _queue(integrations, dialog_id=lead.dialog_id, lead_id=lead.id, operator=operator)


@transaction.atomic
def retry_export(*, operator, export_id: int) -> Export:
    """The same export again (same idempotency key), back to queued. operator=None: the
    Django admin's action, whose permission the admin has checked."""
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
    export.status = Export.Status.QUEUED
    export.last_error = ""
    export.updated_at = timezone.now()
    export.save(update_fields=["status", "last_error", "updated_at"])
    transaction.on_commit(lambda: _enqueue(export.id))
    _publish(export.dialog_id)
    return export


# --- automatic exports (chat.hooks, connected in crm.apps) --------------------------------


@transaction.atomic
def on_dialog_ended(dialog) -> list[Export]:
    integrations = _active_integrations(dialog.site.account_id, export_ended_dialogs=True)
    return _queue(integrations, dialog_id=dialog.id, lead_id=None, operator=None)


@transaction.atomic
def on_lead_created(lead) -> list[Export]:
    integrations = _active_integrations(lead.account_id, export_new_leads=True)
    return _queue(integrations, dialog_id=lead.dialog_id, lead_id=lead.id, operator=None)


# --- delivery (crm.tasks.deliver_export) --------------------------------------------------


def _network_error(error: requests.RequestException, url: str) -> str:
    # Never the whole URL: a Bitrix24 webhook URL holds its secret.
    host = urlsplit(url).hostname or "?"
    if isinstance(error, requests.Timeout):
        return _("Network error: %(host)s did not answer in time.") % {"host": host}
    return _("Network error: could not reach %(host)s.") % {"host": host}


def attempt_delivery(export: Export, *, may_retry: bool = True) -> str:
    """One HTTP attempt; records its result. Returns SENT, RETRY (a network error or a 5xx
    while retries are left: the export stays queued) or FAILED (4xx, bad settings, an
    answer that is not a success, or no retry left)."""
    connector = connector_for(export.integration)
    status_code, excerpt, remote_id, error = None, "", "", ""
    url = ""
    try:
        request = connector.build_request(payloads.build(export))
        url = request.url
        response = requests.request(
            request.method,
            request.url,
            headers=request.headers,
            data=encode_body(request.json),
            auth=request.auth,
            timeout=settings.CRM_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except ConnectorError as exc:
        outcome, error = FAILED, str(exc)
    except requests.RequestException as exc:
        outcome, error = RETRY, _network_error(exc, url)
    else:
        status_code, excerpt = response.status_code, response.text[:EXCERPT_LENGTH]
        if 200 <= status_code < 300:
            try:
                remote_id, outcome = connector.parse_response(response), SENT
            except ConnectorError as exc:
                outcome, error = FAILED, str(exc)
        elif status_code >= 500 or status_code == 429:
            outcome, error = RETRY, connector.error_of(response)
        else:
            outcome, error = FAILED, connector.error_of(response)
    if outcome == RETRY and not may_retry:
        outcome = FAILED
        error = _("Gave up after %(count)s attempts. %(error)s") % {
            "count": export.attempts + 1,
            "error": error,
        }
    _record_attempt(export, outcome, status_code, excerpt, remote_id, error)
    return outcome


@transaction.atomic
def _record_attempt(export, outcome, status_code, excerpt, remote_id, error) -> None:
    now = timezone.now()
    status = {SENT: Export.Status.SENT, FAILED: Export.Status.FAILED}.get(
        outcome, Export.Status.QUEUED
    )
    fields = {
        "attempts": F("attempts") + 1,
        "status": status,
        "last_status_code": status_code,
        "last_response": excerpt,
        "last_error": error[:1000],
        "updated_at": now,
    }
    if outcome == SENT:
        fields.update(remote_id=remote_id[:100], sent_at=now)
    # A delivered export stays delivered, whatever a late duplicate attempt saw.
    Export.objects.filter(pk=export.pk).exclude(status=Export.Status.SENT).update(**fields)
    _publish(export.dialog_id)
