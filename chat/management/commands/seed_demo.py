"""Create (or refresh) the demo account that `make run` serves. Safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from chat.console import withdrawal
from chat.models import Site
from operators.models import Account, Operator

DEMO_PASSWORD = "demo-pass-2026"
ADMIN = ("admin", "admin-pass-2026")
# Title and greeting stay empty: the widget shows its translated defaults ("Chat with us" /
# "Напишите нам"). The shop's widget follows the visitor's browser; the blog's is Russian,
# so the demo shows both languages side by side. A dialog whose visitor left ends by itself
# after the site's minutes without messages: the default half hour in the shop, sooner in
# the blog (docs/operations.md, "Ending dialogs automatically").
SITES = [
    # name, widget key, colour, widget language, auto-close minutes
    ("Demo shop", "demo-shop-key", "#2563eb", "", 30),
    ("Demo blog", "demo-blog-key", "#059669", "ru", 10),
]
OPERATORS = [
    # username, display name, can see others, can join others, sites
    ("anna", "Anna", True, True, ["demo-shop-key", "demo-blog-key"]),
    ("boris", "Boris", False, False, ["demo-shop-key"]),
]


class Command(BaseCommand):
    help = "Create the demo account, two sites, two operators and an admin."

    @transaction.atomic
    def handle(self, *args, **options):
        users = get_user_model()
        account, _ = Account.objects.get_or_create(name="Demo company")
        sites = {}
        for name, key, color, language, auto_close in SITES:
            site, _ = Site.objects.update_or_create(
                widget_key=key,
                defaults={
                    "account": account,
                    "name": name,
                    "domains": "localhost\n127.0.0.1",
                    "widget_color": color,
                    "widget_title": "",
                    "greeting": "",
                    "language": language,
                    "auto_close_minutes": auto_close,
                },
            )
            sites[key] = site
        for username, display, see, join, site_keys in OPERATORS:
            user, _ = users.objects.get_or_create(username=username)
            user.first_name = display
            user.set_password(DEMO_PASSWORD)
            user.save()
            operator, _ = Operator.objects.update_or_create(
                user=user,
                defaults={
                    "account": account,
                    "display_name": display,
                    "can_see_others": see,
                    "can_join_others": join,
                },
            )
            withdrawal.set_operator_sites(operator, [sites[key] for key in site_keys])
        admin, _ = users.objects.get_or_create(username=ADMIN[0])
        admin.is_staff = admin.is_superuser = True
        admin.set_password(ADMIN[1])
        admin.save()

        self.stdout.write("Demo data ready:")
        for username, *_rest, site_keys in OPERATORS:
            self.stdout.write(
                f"  operator {username} / {DEMO_PASSWORD}  (sites: {', '.join(site_keys)})"
            )
        self.stdout.write(f"  admin    {ADMIN[0]} / {ADMIN[1]}")
