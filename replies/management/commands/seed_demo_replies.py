"""Canned replies in English and Russian for the demo account (after seed_demo). Safe to
run again: replies are matched by shortcut."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chat.models import Site
from operators.models import Account
from replies.models import CannedReply

ACCOUNT = "Demo company"
SHOP = "demo-shop-key"
REPLIES = [
    # shortcut, title, text, widget key of the site (None: every site)
    ("hello", "Greeting",
     "Hello, {visitor_name}! I'm {operator_name} from {site_name}. How can I help you?", None),
    ("wait", "One moment", "One moment please, I'm checking this for you.", None),
    ("delivery", "Delivery times",
     "Orders usually arrive in 2–4 working days. Once your order ships you get a tracking "
     "number by email.", SHOP),
    ("thanks", "Thank you", "Thank you for your question! Is there anything else I can do?", None),
    ("bye", "Goodbye",
     "Thank you for contacting {site_name}! Dialog #{dialog_number} is saved: write to us "
     "any time.", None),
    ("привет", "Приветствие",
     "Здравствуйте, {visitor_name}! Меня зовут {operator_name}, {site_name}. Чем могу помочь?",
     None),
    ("минуту", "Одну минуту", "Одну минуту, пожалуйста, я уточню.", None),
    ("доставка", "Сроки доставки",
     "Обычно заказ приходит за 2–4 рабочих дня. После отправки мы пришлём трек-номер на почту.",
     SHOP),
    ("спасибо", "Благодарность", "Спасибо за вопрос! Могу ли я помочь чем-то ещё?", None),
    ("пока", "Прощание",
     "Спасибо, что обратились в {site_name}! Диалог №{dialog_number} сохранён, пишите в любое "
     "время.", None),
]  # fmt: skip


class Command(BaseCommand):
    help = "Create the demo account's canned replies (English and Russian)."

    @transaction.atomic
    def handle(self, *args, **options):
        account = Account.objects.filter(name=ACCOUNT).first()
        if account is None:
            raise CommandError(f"No account {ACCOUNT!r}: run seed_demo first.")
        sites = {site.widget_key: site for site in Site.objects.filter(account=account)}
        for position, (shortcut, title, text, site_key) in enumerate(REPLIES):
            CannedReply.objects.update_or_create(
                account=account,
                shortcut=shortcut,
                defaults={
                    "title": title,
                    "text": text,
                    "site": sites.get(site_key) if site_key else None,
                    "position": position,
                },
            )
        self.stdout.write(f"  {len(REPLIES)} canned replies (type / in the composer)")
