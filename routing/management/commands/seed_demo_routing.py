"""Routing for the demo (after seed_demo and seed_demo_hours). Safe to run again.

The demo shop keeps routing to everyone, as before, and can be switched to auto-assign in
the console (anna: Site settings > Demo shop > Routing); a switch made there survives the
next `make run`. Anna may hold 2 open dialogs, Boris 1, the shop's default is 2, and an
operator who does not answer in 60 s loses the dialog to the other (docs/routing.md,
"Try it in make run").
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chat.models import Site
from operators.models import Operator
from routing import modes
from routing.models import OperatorRouting, RoutingSettings

SHOP_KEY = "demo-shop-key"
CAPACITIES = {"anna": 2, "boris": 1}


class Command(BaseCommand):
    help = "Give the demo shop routing settings (everyone) and Anna and Boris their limits."

    @transaction.atomic
    def handle(self, *args, **options):
        shop = Site.objects.filter(widget_key=SHOP_KEY).first()
        if shop is None:
            raise CommandError("Run seed_demo first.")
        routing, _ = RoutingSettings.objects.get_or_create(
            site=shop,
            defaults={
                "mode": RoutingSettings.Mode.EVERYONE,
                "default_capacity": 2,
                "answer_timeout_seconds": 60,
            },
        )
        operators = Operator.objects.filter(
            account=shop.account, user__username__in=list(CAPACITIES)
        ).select_related("user")
        for operator in operators:
            OperatorRouting.objects.update_or_create(
                operator=operator, defaults={"capacity": CAPACITIES[operator.user.username]}
            )
        transaction.on_commit(lambda: modes.forget(shop.id))
        limits = ", ".join(f"{name} {limit}" for name, limit in CAPACITIES.items())
        self.stdout.write(f"Routing: {shop.name} routes to {routing.mode}; limits {limits}.")
