"""Internal notes and a transfer in the demo account's history, so that `make run` shows
them: two dialogs of the demo shop get notes (one mentioning Boris), and one was
transferred from Anna to Boris with a private note. Run after seed_demo_reports. Safe to
run again: what it seeded before is replaced.

Rows are written directly: this is past data, no live event may fire."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chat.models import Dialog, Message, Participant
from operators.models import Account
from teamwork.models import Note, Transfer

PREFIX = "demo-teamwork-"


class Command(BaseCommand):
    help = "Seed internal notes and a transfer in the demo account's dialogs."

    @transaction.atomic
    def handle(self, *args, **options):
        account = Account.objects.filter(name="Demo company").first()
        if account is None:
            raise CommandError("Run seed_demo first: there is no demo account.")
        operators = {op.user.username: op for op in account.operators.select_related("user")}
        anna, boris = operators.get("anna"), operators.get("boris")
        if anna is None or boris is None:
            raise CommandError("Run seed_demo first: Anna and Boris are missing.")
        old = Note.objects.filter(client_id__startswith=PREFIX)
        Transfer.objects.filter(note__in=old).delete()
        Message.objects.filter(client_id__startswith=PREFIX).delete()
        old.delete()
        dialogs = list(
            Dialog.objects.filter(
                account=account,
                site__widget_key="demo-shop-key",
                status=Dialog.Status.CLOSED,
                participants__operator=anna,
            )
            .distinct()
            .order_by("-created_at")[:3]
        )
        if len(dialogs) < 3:
            raise CommandError("Run seed_demo_reports first: the demo shop has no history.")
        noted, mentioned, transferred = dialogs
        self._note(noted, anna, 1, "Regular customer: third order this month.")
        self._note(noted, anna, 2, "Promised a 10% coupon for the next order.")
        note = self._note(mentioned, anna, 1, "@boris can you check the stock of size M?")
        note.mentions.set([boris])
        self._transfer(transferred, anna, boris)
        self.stdout.write("Demo notes and a transfer seeded.")

    def _note(self, dialog, author, n, text, recipient=None):
        return Note.objects.create(
            dialog=dialog,
            author=author,
            text=text,
            recipient=recipient,
            client_id=f"{PREFIX}{dialog.id}-{n}",
            created_at=dialog.created_at + timedelta(minutes=n),
        )

    def _transfer(self, dialog, sender, receiver):
        at = dialog.created_at + timedelta(minutes=2)
        note = self._note(
            dialog, sender, 9, "Wants a call back about delivery; he is polite but in a hurry.",
            recipient=receiver,
        )  # fmt: skip
        Note.objects.filter(pk=note.pk).update(created_at=at)
        Transfer.objects.create(
            dialog=dialog, sender=sender, receiver=receiver, note=note, created_at=at
        )
        Message.objects.create(
            dialog=dialog,
            author_kind=Message.Author.SYSTEM,
            text=f"{receiver.name} will continue the conversation",
            client_id=f"{PREFIX}{dialog.id}",
            created_at=at,
        )
        Participant.objects.filter(dialog=dialog, operator=sender).update(left_at=at)
        if not Participant.objects.filter(dialog=dialog, operator=receiver).exists():
            Participant.objects.create(
                dialog=dialog, operator=receiver, joined_at=at, left_at=dialog.closed_at
            )
