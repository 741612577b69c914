"""The demo account's example webhook endpoint: every event, signed, to the demo receiver
that `make run` serves (/webhooks/demo-receiver/<id>/, shown on the endpoint's console page).
Safe to run again."""

from django.core.management.base import BaseCommand

from operators.models import Account
from webhooks import events, services
from webhooks.models import Endpoint

DESCRIPTION = "Demo receiver"


class Command(BaseCommand):
    help = "Subscribe the demo account to every event at the demo receiver (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the address make run serves (default http://127.0.0.1:8000)",
        )

    def handle(self, *args, base_url, **options):
        account = Account.objects.filter(name="Demo company").first()
        if account is None:
            self.stderr.write("No demo account: run seed_demo first.")
            return
        endpoint = Endpoint.objects.filter(account=account, description=DESCRIPTION).first()
        endpoint = endpoint or Endpoint(account=account, description=DESCRIPTION, url=base_url)
        endpoint.events = list(events.NAMES)
        endpoint.is_active = True
        endpoint.url = "http://placeholder.invalid/"
        services.save_endpoint(endpoint)  # the id is part of the URL
        endpoint.url = f"{base_url.rstrip('/')}/webhooks/demo-receiver/{endpoint.pk}/"
        services.save_endpoint(endpoint)
        self.stdout.write(f"Webhooks demo: endpoint {endpoint.pk} posts to {endpoint.url}")
