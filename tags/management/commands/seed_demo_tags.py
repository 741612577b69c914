"""Tags for the demo account (after seed_demo and the other demo seeds): VIP, Delivery,
Complaint and Wholesale, put on the demo history's dialogs by what they are about, and one
new wholesale dialog waiting in Mine with its chips. Anna manages the tags (the Tags page in
her menu). Safe to run again: nothing is added while a dialog of the account is tagged."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Q

from chat.messaging import posting
from chat.models import Dialog, Message, Site
from chat.visitors import sessions
from operators.models import Account, Operator
from tags import row_cache
from tags.models import DialogTag, Tag

ACCOUNT = "Demo company"
TAGS = [("VIP", "purple"), ("Delivery", "green"), ("Complaint", "red"), ("Wholesale", "orange")]
# A tag goes on every ended dialog whose messages contain one of its words.
WORDS = {
    "Delivery": ["deliver", "order", "достав"],
    "Complaint": ["not arrived", "не работает", "wait", "refund"],
    "VIP": ["jacket", "перепечатать"],
}
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


class Command(BaseCommand):
    help = "Give the demo account its tags and put them on some demo dialogs."

    def handle(self, *args, **options):
        account = Account.objects.filter(name=ACCOUNT).first()
        shop = Site.objects.filter(account=account, widget_key="demo-shop-key").first()
        if account is None or shop is None:
            raise CommandError("Run seed_demo first.")
        Operator.objects.filter(account=account, user__username="anna").update(
            can_manage_site_settings=True
        )
        tags = {}
        for name, colour in TAGS:
            tags[name], _ = Tag.objects.get_or_create(
                account=account, name=name, defaults={"colour": colour}
            )
        if DialogTag.objects.filter(tag__account=account).exists():
            self.stdout.write("The demo account has tagged dialogs already.")
            return
        links = []
        for name, words in WORDS.items():
            said = Q()
            for word in words:
                said |= Q(text__icontains=word)
            mentioned = Message.objects.filter(said, dialog=OuterRef("pk"))
            for dialog in Dialog.objects.filter(Exists(mentioned), account=account):
                links.append(DialogTag(dialog=dialog, tag=tags[name]))
        session = sessions.start_visitor_session(
            site=shop, token=None, ip="203.0.113.20", user_agent=UA
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id,
            visit_id=session.visit.id,
            client_id="seed-tags-1",
            text="Hello! We'd like to order 200 jackets for our stores. A wholesale price?",
        )
        links += [
            DialogTag(dialog_id=message.dialog_id, tag=tags["Wholesale"]),
            DialogTag(dialog_id=message.dialog_id, tag=tags["VIP"]),
        ]
        DialogTag.objects.bulk_create(links, ignore_conflicts=True)
        row_cache.forget_dialogs_on_commit({link.dialog_id for link in links})
        self.stdout.write(f"Demo tags ready: {len(links)} tags on dialogs.")
