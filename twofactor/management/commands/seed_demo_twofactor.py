"""The demo account's sign-in policy row, with "require two-factor sign-in" off, so the
admin shows where an account turns it on (Two-factor sign-in › Account security) while the
demo users keep signing in with their password alone. Safe to run again: an existing row
is left as it is."""

from django.core.management.base import BaseCommand, CommandError

from operators.models import Account
from twofactor.models import AccountSecurity

ACCOUNT = "Demo company"


class Command(BaseCommand):
    help = "Add the demo account's two-factor policy (off) for the admin to show."

    def handle(self, *args, **options):
        account = Account.objects.filter(name=ACCOUNT).first()
        if account is None:
            raise CommandError("Run seed_demo first.")
        _row, created = AccountSecurity.objects.get_or_create(account=account)
        self.stdout.write(
            "Two-factor policy of the demo account: " + ("added" if created else "kept")
        )
