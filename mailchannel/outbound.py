"""E-mails out, at least once: queued on commit of what caused them (an operator's answer
to a visitor who left, a dialog's end, a lead), sent by a Celery task through Django's
mail (SMTP settings), retried on temporary failures with chat's retry policy
(chat/outbound/retry.py), their state (sending, retrying, sent, not delivered with the
reason) kept and shown in the dialog's transcript (docs/channels.md)."""

import logging
import smtplib
import socket
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import BadHeaderError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, NotFound
from chat.models import Message, Visitor
from chat.outbound import retry as policy
from mailchannel import compose, events, rows
from mailchannel.models import MailDelivery, SiteMail, VisitorLanguage

logger = logging.getLogger(__name__)


class SendFailed(Exception):
    def __init__(self, reason: str, *, temporary: bool):
        super().__init__(reason)
        self.reason, self.temporary = reason, temporary


# --- what is sent -------------------------------------------------------------------------


def language_of(visitor_id: int, site) -> str:
    """The visitor's language (his widget's when he gave his e-mail), else the site's."""
    stored = VisitorLanguage.objects.filter(visitor_id=visitor_id).values_list(
        "language", flat=True
    )
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (*stored, site.language, settings.LANGUAGE_CODE):
        if language in codes:
            return language
    return "en"


def remember_language(visitor_id: int, language: str) -> None:
    code = (language or "").split("-")[0].lower()
    if code in {c for c, _name in settings.LANGUAGES}:
        VisitorLanguage.objects.update_or_create(visitor_id=visitor_id, defaults={"language": code})


def _create(**fields) -> MailDelivery | None:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    try:
        with transaction.atomic():
            delivery = MailDelivery.objects.create(
                mail_id=make_msgid("chat", domain=domain),
                demo=settings.MAILCHANNEL_DEMO_OUTBOX,
                **fields,
            )
    except IntegrityError:  # the same dialog's transcript queued twice
        return None
    queue(delivery)
    return delivery


def queue(delivery: MailDelivery) -> None:
    from mailchannel import tasks

    events.delivery_changed(delivery)
    transaction.on_commit(lambda: tasks.send_mail.delay(delivery.pk))


def wants_message(*, message, dialog) -> bool:
    return message.author_kind == Message.Author.OPERATOR


def _writes_from_a_messenger(visitor) -> bool:
    """A Telegram or VK visitor (messengers, when installed: never imported here) gets his
    answers there, not twice."""
    if not hasattr(Visitor, "messenger_contact"):
        return False
    return Visitor.objects.filter(pk=visitor.pk, messenger_contact__isnull=False).exists()


def message_posted(*, message, dialog) -> None:
    """chat.hooks.message_posted: an operator's answer to a visitor with an e-mail address
    and no widget open goes out by e-mail."""
    if message.author_kind != Message.Author.OPERATOR:
        return
    visitor = Visitor.objects.filter(pk=dialog.visitor_id).only("email", "open_sockets").first()
    if visitor is None or not visitor.email or visitor.open_sockets > 0:
        return
    if _writes_from_a_messenger(visitor):
        return  # the messenger carries the answer (messengers/)
    site = dialog.site
    with transaction.atomic():
        _create(
            account_id=dialog.account_id, site=site, dialog=dialog, message=message,
            kind=MailDelivery.Kind.ANSWER, recipients=visitor.email,
            language=language_of(visitor.pk, site),
        )  # fmt: skip


def dialog_ended(*, dialog) -> None:
    """chat.hooks.dialog_ended: the transcript to the visitor, when his site opted in."""
    if not SiteMail.objects.filter(site_id=dialog.site_id, send_transcripts=True).exists():
        return
    visitor = Visitor.objects.filter(pk=dialog.visitor_id).only("email").first()
    if visitor is None or not visitor.email:
        return
    if not Message.objects.filter(dialog_id=dialog.pk, author_kind="operator").exists():
        return  # nobody answered: nothing worth a transcript
    with transaction.atomic():
        _create(
            account_id=dialog.account_id, site=dialog.site, dialog=dialog,
            kind=MailDelivery.Kind.TRANSCRIPT, recipients=visitor.email,
            language=language_of(visitor.pk, dialog.site),
        )  # fmt: skip


def lead_created(*, lead) -> None:
    """chat.hooks.lead_created: the visitor's language is remembered for later e-mails (this
    runs in the request of the form he filled in); the site's addresses get a notice."""
    if lead.email and lead.visitor_id:
        from django.utils import translation

        remember_language(lead.visitor_id, translation.get_language())
    mail_settings = SiteMail.objects.filter(site_id=lead.site_id).first()
    if mail_settings is None or not mail_settings.addresses:
        return
    with transaction.atomic():
        _create(
            account_id=lead.account_id, site=lead.site, dialog=None, lead=lead,
            kind=MailDelivery.Kind.LEAD, recipients=",".join(mail_settings.addresses),
            language=lead.site.language or settings.LANGUAGE_CODE,
        )  # fmt: skip


# --- sending ------------------------------------------------------------------------------


def _smtp_reason(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}".strip()


def classify(error: Exception) -> SendFailed:
    """Which failures may pass by themselves (4xx, a server down or gone) and which need
    someone to fix something (5xx, a refused address, a bad header)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        reason = "; ".join(
            f"{rcpt}: {_smtp_reason(code, text)}" for rcpt, (code, text) in error.recipients.items()
        )
        return SendFailed(reason, temporary=any(400 <= c < 500 for c in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        reason = _smtp_reason(error.smtp_code, error.smtp_error)
        return SendFailed(reason, temporary=400 <= error.smtp_code < 500)
    if isinstance(error, BadHeaderError | ValueError | UnicodeError):
        return SendFailed(
            _("The e-mail was refused: %(error)s") % {"error": error}, temporary=False
        )
    if isinstance(error, smtplib.SMTPException | OSError | socket.timeout):
        return SendFailed(str(error) or error.__class__.__name__, temporary=True)
    raise error


def _send(delivery: MailDelivery) -> None:
    try:
        compose.build(delivery).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 - classify re-raises what it does not know
        raise classify(error) from error


def attempt(delivery_id: int) -> float | None:
    """One attempt; the seconds before the next one, or None when done (sent, or failed
    for good). Two attempts never run at once: each claims the next attempt number."""
    delivery = (
        MailDelivery.objects.select_related(
            "site",
            "dialog__site",
            "dialog__visitor",
            "message__operator",
            "message__dialog",
            "message__dialog__site",
            "message__dialog__visitor",
            "lead__site",
        )  # fmt: skip
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status in (
        MailDelivery.Status.SENT,
        MailDelivery.Status.FAILED,
    ):
        return None
    number = delivery.attempts + 1
    if not MailDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        attempts=number
    ):
        return None
    now, delay = timezone.now(), None
    fields = {"updated_at": now, "next_attempt_at": None}
    try:
        _send(delivery)
        fields.update(
            status=MailDelivery.Status.SENT, reason="", demo=settings.MAILCHANNEL_DEMO_OUTBOX
        )
    except SendFailed as failed:
        fields["reason"] = failed.reason[:500]
        fields["status"] = MailDelivery.Status.FAILED
        if failed.temporary:
            wait = policy.next_delay(
                number - 1, None,
                base=settings.MAILCHANNEL_RETRY_BASE_SECONDS,
                cap=settings.MAILCHANNEL_RETRY_CAP_SECONDS,
            )  # fmt: skip
            if policy.within_limits(
                wait, retries=number - 1, retrying_since=delivery.retrying_since,
                max_retries=settings.MAILCHANNEL_RETRY_MAX - 1,
                window_seconds=settings.MAILCHANNEL_RETRY_WINDOW_SECONDS,
            ):  # fmt: skip
                delay = wait
                fields.update(
                    status=MailDelivery.Status.RETRYING,
                    next_attempt_at=now + timedelta(seconds=wait),
                    retrying_since=delivery.retrying_since or now,
                )
            else:
                fields["reason"] = policy.gave_up_reason(number, failed.reason)[:500]
        logger.warning("e-mail delivery %s: %s", delivery.pk, failed.reason)
    MailDelivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.attempts = number
    events.delivery_changed(delivery)
    return delay


def mark_bounced(delivery_id: int, reason: str) -> bool:
    """A bounce came back for a delivery we took for sent: it is shown as not delivered."""
    delivery = (
        MailDelivery.objects.select_related("message", "dialog").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return False
    fields = {
        "status": MailDelivery.Status.FAILED,
        "reason": (_("Bounced: %(reason)s") % {"reason": reason})[:500],
        "next_attempt_at": None,
        "updated_at": timezone.now(),
    }
    MailDelivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    events.delivery_changed(delivery)
    return True


def retry(*, operator, delivery_id: int) -> MailDelivery:
    """The transcript's Retry: a delivery that failed (or waits) is sent again now."""
    delivery = MailDelivery.objects.filter(pk=delivery_id, dialog__isnull=False).first()
    if delivery is None:
        raise NotFound()
    chat_selectors.dialog_for_operator(operator, delivery.dialog_id)  # or NotFound / denied
    if delivery.status == MailDelivery.Status.SENT:
        raise AccessDenied()
    MailDelivery.objects.filter(pk=delivery.pk).update(
        status=MailDelivery.Status.RETRYING, next_attempt_at=None, retrying_since=None,
        attempts=0, updated_at=timezone.now(),
    )  # fmt: skip
    delivery.refresh_from_db()
    queue(delivery)
    return delivery


def overdue(limit: int = 100) -> list[int]:
    """Deliveries whose task was lost: due more than a minute ago, or pending that long."""
    waiting = [MailDelivery.Status.PENDING, MailDelivery.Status.RETRYING]
    return policy.lost_task_ids(MailDelivery.objects.all(), waiting_statuses=waiting, limit=limit)


def visitor_erased(*, visitor_ids, dialog_ids) -> None:
    """chat.hooks.visitor_erased: his e-mails' addresses and his replies (their raw bytes)
    go with him. His VisitorLanguage row stays: a language code names nobody, and with
    his address erased no e-mail goes to him any more."""
    from mailchannel.models import InboundMail

    MailDelivery.objects.filter(dialog_id__in=dialog_ids).delete()
    InboundMail.objects.filter(dialog_id__in=dialog_ids).delete()
    rows.forget(dialog_ids)
