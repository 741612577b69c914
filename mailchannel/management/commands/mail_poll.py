"""manage.py mail_poll [--forever]: take the new replies from the IMAP mailbox now (the
beat does it every MAILCHANNEL_IMAP_POLL_SECONDS), or keep watching it (IDLE)."""

from django.core.management.base import BaseCommand, CommandError

from mailchannel import imap, inbound


class Command(BaseCommand):
    help = "Fetch the visitors' e-mail replies from the IMAP mailbox (MAILCHANNEL_IMAP_*)."

    def add_arguments(self, parser):
        parser.add_argument("--forever", action="store_true", help="keep watching (IDLE)")
        parser.add_argument("--wait", type=float, default=60.0, help="seconds between polls")

    def handle(self, *args, forever=False, wait=60.0, **options):
        if not imap.configured():
            raise CommandError("Set MAILCHANNEL_IMAP_HOST and MAILCHANNEL_IMAP_USER first.")
        if forever:
            imap.run_forever(on_stored=inbound.process, wait_seconds=wait)
            return
        stored = imap.poll_once(on_stored=inbound.process)
        self.stdout.write(f"{len(stored)} new e-mail(s).")
