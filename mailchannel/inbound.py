"""An e-mail from the mailbox: stored first (before the IMAP message is marked seen; a
redelivery, same Message-ID, is stored once), then turned into the visitor's message in
the dialog its signed address names, reopening it if it had ended (docs/channels.md).

A new e-mail (it names no dialog) sent to a site's inbox address (SiteMail.inbox_address)
opens a dialog on that site, like a widget's first message, for the e-mail visitor of its
sender's address (found, or created with his name); its subject is the message's first
line. Never for an automatic or bulk e-mail (parsing.automated: nor is one added to a
dialog it answers, so a vacation notice reopens nothing), a blocked sender (blocking.
is_sender_blocked: his address, or his visitor, blocked; nor is his reply added to a
dialog), or more than CHAT_RATE_DIALOGS_PER_VISITOR new e-mails an hour from one
sender: those are kept in the admin with the reason, and answered by nobody.

Refused, and added nowhere: a forged or foreign signed address, and a mail that names no
dialog of ours and no site's inbox. Files go through the product's upload checks; a
refused file becomes a line for the operator, the rest of the mail is kept."""

import logging
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.dialogs import lifecycle
from chat.errors import ChatError
from chat.messaging import attachments, posting, ratelimit, system_lines, uploads
from chat.models import Dialog, Visitor
from chat.realtime import events
from chat.visitors import animals, blocking
from mailchannel import addresses, outbound, parsing, rows
from mailchannel.models import InboundMail, MailDelivery, SiteMail

logger = logging.getLogger(__name__)


def store(raw: bytes) -> tuple[InboundMail, bool]:
    """(the stored mail, whether it is new): committed before the caller marks it seen."""
    message = parsing.parse_bytes(raw)
    message_id = parsing.message_id_of(message, raw)
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                message_id=message_id,
                raw=raw,
                sender=parseaddr(str(message.get("From", "")))[1][:300],
                subject=parsing.one_line(str(message.get("Subject", "")))[:300],
            )
        return mail, True
    except IntegrityError:
        return InboundMail.objects.get(message_id=message_id), False


def _finish(mail: InboundMail, outcome: str, *, error: str = "", dialog_id=None) -> None:
    InboundMail.objects.filter(pk=mail.pk).update(
        outcome=outcome, error=error[:500], dialog_id=dialog_id, processed_at=timezone.now()
    )


def _dialog_by_thread(parsed: parsing.Parsed) -> int | None:
    """Without a signed address: the dialog of one of our e-mails it answers."""
    if not parsed.in_reply_to:
        return None
    return (
        MailDelivery.objects.filter(mail_id__in=parsed.in_reply_to[:50], dialog__isnull=False)
        .exclude(kind=MailDelivery.Kind.LEAD)
        .values_list("dialog_id", flat=True)
        .first()
    )


def process(mail_id: int) -> None:
    """Post the stored mail; marks it processed. Raises on a temporary failure (the task
    retries, the beat takes it again)."""
    mail = InboundMail.objects.filter(pk=mail_id).first()
    if mail is None or mail.processed_at is not None:
        return
    raw = bytes(mail.raw)
    message = parsing.parse_bytes(raw)
    try:
        target = addresses.target_of(message)
    except addresses.ForgedAddress as forged:
        logger.warning("mail %s refused: forged address %s", mail.pk, forged)
        _finish(mail, InboundMail.Outcome.REFUSED, error=_("The reply address is not valid."))
        return
    if target is not None and target.kind == "b":
        outbound.mark_bounced(target.id, bounce_reason(message))
        _finish(mail, InboundMail.Outcome.BOUNCE)
        return
    robot = parsing.automated(message)
    if robot:  # a vacation notice or a list's mail: it neither opens nor reopens a dialog
        error = _("An automatic or bulk e-mail (%(header)s): it opens no dialog.") % {
            "header": robot
        }
        _finish(mail, InboundMail.Outcome.IGNORED, error=error)
        return
    parsed = parsing.parse(raw)
    dialog_id = target.id if target is not None else _dialog_by_thread(parsed)
    if dialog_id is None or not Dialog.objects.filter(pk=dialog_id).exists():
        _new_mail(mail, message, parsed)
        return
    if _sender_blocked(dialog_id, parsed.sender):
        error = _("The sender is blocked.")
        _finish(mail, InboundMail.Outcome.REFUSED, error=error, dialog_id=dialog_id)
        return
    try:
        posted_to = post_reply(dialog_id, mail.pk, parsed)
    except ChatError as error:
        if error.code == "rate_limited":
            raise
        _finish(mail, InboundMail.Outcome.REFUSED, error=error.detail, dialog_id=dialog_id)
        return
    _finish(mail, InboundMail.Outcome.ADDED, dialog_id=posted_to)


def _sender_blocked(dialog_id: int, sender: str) -> bool:
    """A reply of a blocked sender (his address, or the dialog's visitor blocked) is added
    to no dialog and reopens none."""
    account_id, visitor_id = Dialog.objects.values_list("account_id", "visitor_id").get(
        pk=dialog_id
    )
    return blocking.is_sender_blocked(account_id, sender, visitor_id=visitor_id)


def site_mail_of(message) -> SiteMail | None:
    """The settings of the site whose inbox address the e-mail was sent to."""
    values = [str(v) for header in addresses.HEADERS for v in (message.get_all(header) or [])]
    recipients = {address.strip().lower() for _name, address in getaddresses(values) if address}
    if not recipients:
        return None
    return (
        SiteMail.objects.select_related("site")
        .filter(inbox_address__in=recipients)
        .order_by("pk")
        .first()
    )


def _new_mail(mail: InboundMail, message, parsed: parsing.Parsed) -> None:
    """A new e-mail: a dialog on the site it was sent to, or refused with the reason."""
    site_mail = site_mail_of(message)
    if site_mail is None:
        error = _("The e-mail names no dialog and was not sent to a site's inbox address.")
        _finish(mail, InboundMail.Outcome.REFUSED, error=error)
        return
    sender = parsed.sender.strip().lower()
    site = site_mail.site
    ours = [
        settings.DEFAULT_FROM_EMAIL,
        settings.MAILCHANNEL_REPLY_ADDRESS,
        site_mail.inbox_address,
    ]
    if sender in {parseaddr(address)[1].lower() for address in ours if address}:
        _finish(mail, InboundMail.Outcome.IGNORED, error=_("The e-mail is from our own address."))
        return
    if blocking.is_sender_blocked(site.account_id, sender):
        _finish(mail, InboundMail.Outcome.REFUSED, error=_("The sender is blocked."))
        return
    try:
        ratelimit.take(
            ratelimit.Bucket("mail:sender", sender, settings.CHAT_RATE_DIALOGS_PER_VISITOR, 3600)
        )
    except ratelimit.RateLimited:
        error = _("Too many new e-mails from this sender: it opens no dialog.")
        _finish(mail, InboundMail.Outcome.REFUSED, error=error)
        return
    try:
        dialog_id, opened = post_new(site_mail, mail.pk, parsed)
    except ChatError as error:
        if error.code == "rate_limited":
            raise
        _finish(mail, InboundMail.Outcome.REFUSED, error=error.detail)
        return
    if opened:
        InboundMail.objects.filter(pk=mail.pk).update(started_dialog=True)
    outcome = InboundMail.Outcome.OPENED if opened else InboundMail.Outcome.ADDED
    _finish(mail, outcome, dialog_id=dialog_id)


def visitor_for(site_mail: SiteMail, *, address: str, name: str) -> int:
    """The e-mail visitor of this address on the site (the latest seen, if the address
    was left in the widget too), created with the sender's name if there is none. The
    site's e-mail settings row is locked: two mails of a new sender make one visitor."""
    SiteMail.objects.select_for_update().values_list("pk").get(pk=site_mail.pk)
    found = (
        Visitor.objects.filter(site_id=site_mail.site_id, email__iexact=address)
        .order_by("-last_seen_at", "-pk")
        .values_list("pk", "name")
        .first()
    )
    if found is not None:
        if name and not found[1]:
            Visitor.objects.filter(pk=found[0]).update(name=name[:200])
        return found[0]
    visitor = Visitor(site_id=site_mail.site_id, name=name[:200], email=address[:254])
    visitor.animal = animals.animal_for(visitor.token)
    visitor.save(force_insert=True)
    return visitor.pk


def _subject_and_text(parsed: parsing.Parsed) -> parsing.Parsed:
    """The subject as the message's first line (the console shows messages as text)."""
    subject = parsing.one_line(parsed.subject, 200)
    if subject:
        parsed.text = f"{subject}\n\n{parsed.text}" if parsed.text else subject
    return parsed


@transaction.atomic
def post_new(site_mail: SiteMail, mail_pk: int, parsed: parsing.Parsed) -> tuple[int, bool]:
    """The new e-mail as the visitor's message(s): a new dialog, with the widget's
    first-message hooks (routing, alerts, push), or his open one. Returns (the dialog's
    id, whether this e-mail opened it)."""
    visitor_id = visitor_for(site_mail, address=parsed.sender, name=parsed.sender_name)
    Visitor.objects.select_for_update(of=("self",)).values_list("pk").get(pk=visitor_id)
    had_open = Dialog.objects.filter(visitor_id=visitor_id, status__in=Dialog.OPEN_STATUSES)
    opened = not had_open.exists()
    if not opened:
        return _post(visitor_id, mail_pk, _subject_and_text(parsed)), opened
    with rows.opening_by_mail():  # its rows show "✉ E-mail" from the first (rows.py)
        return _post(visitor_id, mail_pk, _subject_and_text(parsed)), opened


def bounce_reason(message) -> str:
    """The failed recipient's status from a delivery report (RFC 3464), or its subject."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            for block in part.get_payload() or []:
                for header in ("Diagnostic-Code", "Status"):
                    value = block.get(header) if hasattr(block, "get") else None
                    if value:
                        return parsing.one_line(str(value), 300)
    return parsing.one_line(str(message.get("Subject", "")), 300) or "bounce"


def _checked(files: list[parsing.File]) -> tuple[list, list[str]]:
    """(uploads accepted, notes for the files refused)."""
    accepted, notes = [], []
    for file in files:
        try:
            accepted.append(uploads.prepare(SimpleUploadedFile(file.name, file.content)))
        except uploads.UploadRefused as refused:
            notes.append(f"{parsing.one_line(file.name, 100)}: {refused.detail}")
    return accepted, notes


def _text(parsed: parsing.Parsed, notes: list[str], limit: int) -> str:
    text = parsed.text
    for note in notes:
        line = _("[The visitor sent a file that was not accepted: %(reason)s]") % {"reason": note}
        text = f"{text}\n{line}" if text else line
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


@transaction.atomic
def post_reply(dialog_id: int, mail_pk: int, parsed: parsing.Parsed) -> int:
    """The reply as the visitor's message(s), in his open dialog; the dialog it answers is
    reopened when it has ended and he has no other open one. Returns the dialog's id."""
    visitor_id = Dialog.objects.values_list("visitor_id", flat=True).get(pk=dialog_id)
    # Locked like post_visitor_message opening a dialog: the visitor first.
    Visitor.objects.select_for_update(of=("self",)).values_list("pk").get(pk=visitor_id)
    open_dialog = Dialog.objects.filter(visitor_id=visitor_id, status__in=Dialog.OPEN_STATUSES)
    if not open_dialog.exists():
        _reopen(dialog_id)
    return _post(visitor_id, mail_pk, parsed)


def _post(visitor_id: int, mail_pk: int, parsed: parsing.Parsed) -> int:
    accepted, notes = _checked(parsed.files)
    text = _text(parsed, notes, settings.CHAT_MESSAGE_MAX_LENGTH)
    message = None
    if text or not accepted:
        message, _created = posting.post_visitor_message(
            visitor_id=visitor_id, visit_id=None, client_id=f"mail-{mail_pk}", text=text or "…"
        )
    for number, upload in enumerate(accepted, start=1):
        with attachments.discarded_on_failure(upload):
            message, _created = posting.post_visitor_message(
                visitor_id=visitor_id, visit_id=None, client_id=f"mail-{mail_pk}-{number}",
                text="", attachment=upload,
            )  # fmt: skip
    return message.dialog_id


def _reopen(dialog_id: int) -> None:
    dialog = lifecycle.lock_dialog(dialog_id)
    if dialog.is_open:
        return
    dialog.status = Dialog.Status.NEW
    dialog.closed_at = None
    dialog.closed_automatically = False
    dialog.save(update_fields=["status", "closed_at", "closed_automatically"])
    lifecycle.system_message(dialog, system_lines.line("reopened_by_mail"), [])
    events.dialog_changed_on_commit(dialog, [])


def reopened_line(params: dict) -> str:
    """The line of a dialog an e-mail reopened (system_lines kind "reopened_by_mail",
    registered in MailchannelConfig.ready), in the active language."""
    return _("The visitor answered by e-mail: the dialog is open again.")


def unprocessed(limit: int = 100) -> list[int]:
    """Mails stored but not processed (their task was lost or failed)."""
    older = timezone.now() - timezone.timedelta(seconds=30)
    rows = InboundMail.objects.filter(processed_at__isnull=True, received_at__lt=older)
    return list(rows.order_by("received_at").values_list("pk", flat=True)[:limit])
