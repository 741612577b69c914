"""The demo e-mail (after seed_demo): the demo shop's e-mail settings and Pavel's dialog,
answered by e-mail into the DEMO outbox (var/mail-outbox/, nothing is sent) and replied
to, and Olga's dialog, opened by her new e-mail to the shop's inbox address. Safe to run
again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chat.models import Site
from mailchannel import demo
from operators.models import Operator


class Command(BaseCommand):
    help = "Add the demo e-mail conversation (a demo outbox, no mail is sent)."

    def handle(self, *args, **options):
        shop = Site.objects.filter(widget_key="demo-shop-key").first()
        anna = Operator.objects.filter(user__username="anna").first()
        if shop is None or anna is None:
            raise CommandError("Run seed_demo first.")
        # Anna manages the demo sites' settings (Site settings > E-mail).
        Operator.objects.filter(pk=anna.pk).update(can_manage_site_settings=True)
        dialog = demo.write_conversation(shop, anna)
        if dialog is None:
            self.stdout.write("The demo e-mail conversation exists already.")
            return
        where = (
            f"the DEMO outbox {settings.EMAIL_FILE_PATH} (nothing sent)"
            if settings.MAILCHANNEL_DEMO_OUTBOX
            else f"SMTP {settings.EMAIL_HOST}"
        )
        self.stdout.write(
            f"Demo e-mail: Pavel's dialog #{dialog.number}, answered into {where}; "
            f"Olga's new e-mail to {demo.INBOX} opened a dialog."
        )
