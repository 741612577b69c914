"""The demo Telegram channel (after seed_demo): a bot of the demo shop that talks to the
FAKE Bot API `make run` serves under /demo/telegram-api/ (clearly a demo: the Messengers
page labels it), and a Telegram dialog with Olga answered by Anna. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from chat.models import Site
from messengers import demo
from operators.models import Operator


class Command(BaseCommand):
    help = "Add the demo Telegram channel (a fake Bot API, not Telegram) and its dialog."

    def add_arguments(self, parser):
        parser.add_argument(
            "--api",
            default="http://127.0.0.1:8000/demo/telegram-api",
            help="The fake Bot API's address, served by `make run`.",
        )

    def handle(self, *args, **options):
        shop = Site.objects.filter(widget_key="demo-shop-key").select_related("account").first()
        anna = Operator.objects.filter(user__username="anna").first()
        if shop is None or anna is None:
            raise CommandError("Run seed_demo first.")
        Operator.objects.filter(pk=anna.pk).update(can_manage_site_settings=True)
        bot, created = demo.demo_bot(shop, options["api"])
        if not created:
            self.stdout.write("The demo Telegram channel exists already.")
            return
        demo.write_conversation(bot, anna)
        self.stdout.write(f"Demo Telegram channel @{bot.name} (fake Bot API at {bot.api_base}).")
