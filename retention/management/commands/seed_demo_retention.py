"""Demo data for retention (`make run`): the demo account keeps its dialogs and leads for a
year and its files for 180 days, visible at once in the admin (Retention policies)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from operators.models import Account
from retention.models import RetentionPolicy


class Command(BaseCommand):
    help = "Give the demo account a retention policy (idempotent)."

    def handle(self, *args, **options):
        account = Account.objects.filter(name="Demo company").first()
        if account is None:
            self.stderr.write("No account yet: run seed_demo first.")
            return
        admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
        policy, created = RetentionPolicy.objects.get_or_create(
            account=account,
            defaults={
                "dialogs_days": 365,
                "attachments_days": 180,
                "leads_days": 365,
                "set_by": admin,
            },
        )
        state = "created" if created else "kept"
        self.stdout.write(f"Retention policy of {account} {state}.")
