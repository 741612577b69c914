"""E-mail as a dialog's channel in the console (chat/console/channels.py): a dialog opened
by an e-mail (InboundMail.started_dialog) shows "✉ E-mail" in History's Channel column and
filter, the dialog header and the visitor card."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from chat.console.channels import Channel
from mailchannel.models import InboundMail

ANNOTATION = "opened_by_email"


def _opening_mail():
    return InboundMail.objects.filter(dialog_id=OuterRef("pk"), started_dialog=True)


def dialogs(rows):
    return rows.filter(Exists(_opening_mail()))


def exclude(rows):
    return rows.exclude(Exists(_opening_mail()))


def prepare_rows(rows):
    return rows.annotate(**{ANNOTATION: Exists(_opening_mail())})


def claims(dialog) -> bool:
    """From History's annotation; else one query (kept on the dialog), and none for a
    dialog that has a visit (the widget's) or a visitor without an e-mail address (an
    e-mail's visitor always has his; the dialog page's dialog comes with its visitor)."""
    if ANNOTATION in dialog.__dict__:
        return dialog.__dict__[ANNOTATION]
    if dialog.visit_id is not None or not dialog.visitor.email:
        found = False
    else:
        found = InboundMail.objects.filter(dialog_id=dialog.pk, started_dialog=True).exists()
    dialog.__dict__[ANNOTATION] = found
    return found


def email_channel() -> Channel:
    return Channel(
        value="email",
        label=_("E-mail"),
        icon="✉",
        dialogs=dialogs,
        exclude=exclude,
        claims=claims,
        prepare_rows=prepare_rows,
    )
