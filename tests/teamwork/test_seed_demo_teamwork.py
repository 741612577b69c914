"""The demo's notes and transfer: seeded on the demo shop's history, again without doubles."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.models import Dialog, Message, Participant, Site, Visitor
from operators.models import Operator
from teamwork.models import Note, Transfer

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_the_same_notes_and_one_transfer():
    call_command("seed_demo")
    shop = Site.objects.get(widget_key="demo-shop-key")
    anna = Operator.objects.get(user__username="anna")
    now = timezone.now()
    for number in range(1, 4):
        dialog = Dialog.objects.create(
            account=shop.account,
            site=shop,
            visitor=Visitor.objects.create(site=shop),
            number=number,
            status=Dialog.Status.CLOSED,
            closed_at=now,
        )
        Participant.objects.create(dialog=dialog, operator=anna, left_at=now)
    for _ in range(2):
        call_command("seed_demo_teamwork")
    assert Note.objects.filter(recipient__isnull=True).count() == 3
    assert Note.objects.filter(mentions__user__username="boris").count() == 1
    transfer = Transfer.objects.select_related("note").get()
    assert transfer.note.recipient.user.username == "boris"
    assert Message.objects.filter(text="Boris will continue the conversation").count() == 1
