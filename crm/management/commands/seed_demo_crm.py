"""The demo account's example CRM integration: a signed webhook to the demo receiver that
`make run` serves (/crm/demo-receiver/, shown at /console/crm/demo-receiver/). Safe to run
again. Kept out of chat's seed_demo because chat never imports crm."""

from django.conf import settings
from django.core.management.base import BaseCommand

from crm.models import Integration
from operators.models import Account

NAME = "Demo webhook"


class Command(BaseCommand):
    help = "Create the demo account's example webhook integration (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/crm/demo-receiver/",
            help="where the demo integration posts (default: the demo receiver of make run)",
        )

    def handle(self, *args, url, **options):
        account = Account.objects.filter(name="Demo company").first()
        if account is None:
            self.stderr.write("No demo account: run seed_demo first.")
            return
        Integration.objects.update_or_create(
            account=account,
            name=NAME,
            defaults={
                "kind": Integration.Kind.WEBHOOK,
                "settings": {"url": url, "secret": settings.CRM_DEMO_RECEIVER_SECRET},
                "is_active": True,
                "export_new_leads": True,
                "export_ended_dialogs": True,
            },
        )
        self.stdout.write(f"CRM demo: integration {NAME!r} posts to {url}")
