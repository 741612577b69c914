"""Sites in auto-assign mode, operators online, visitors writing (tests/routing/)."""

from django.utils import timezone

from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from operators.models import Operator
from routing import modes
from routing.models import OperatorRouting, RoutingSettings


def auto_assign(site, *, capacity=2, timeout=60):
    modes.forget(site.id)
    return RoutingSettings.objects.update_or_create(
        site=site,
        defaults={
            "mode": RoutingSettings.Mode.AUTO_ASSIGN,
            "default_capacity": capacity,
            "answer_timeout_seconds": timeout,
        },
    )[0]


def online(*operators):
    Operator.objects.filter(pk__in=[op.pk for op in operators]).update(
        status=Operator.Status.ONLINE, open_sockets=1, last_seen_at=timezone.now()
    )


def offline(*operators):
    Operator.objects.filter(pk__in=[op.pk for op in operators]).update(
        status=Operator.Status.OFFLINE, open_sockets=0, last_seen_at=None
    )


def own_capacity(operator, capacity):
    OperatorRouting.objects.update_or_create(operator=operator, defaults={"capacity": capacity})


def visitor_writes(site, text="Hello?"):
    """A new visitor's first message: (dialog, session)."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c1", text=text
    )
    return Dialog.objects.get(pk=message.dialog_id), session


def connected_ids(dialog):
    return sorted(
        dialog.participants.filter(left_at__isnull=True).values_list("operator_id", flat=True)
    )
