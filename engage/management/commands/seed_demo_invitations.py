"""Two proactive invitations on the demo shop (after seed_demo), so `make run` shows them:
a delivery question on its Delivery page after 20 seconds, signed by Anna, and a greeting
for returning visitors from the shop. Anna may manage the demo sites' settings. Safe to run
again: the rules are found by name and set back to these values."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chat.models import Site
from engage.rule_models import InvitationRule
from operators.models import Operator

SHOP = "demo-shop-key"
RULES = [
    {
        "name": "Delivery question",
        "priority": 10,
        "url_match": InvitationRule.UrlMatch.CONTAINS,
        "url_pattern": "view=delivery",
        "seconds_on_page": 20,
        "text": "Hi! I'm {operator_name}. Any questions about delivery to your city? "
        "I can check the dates and the cost for you.",
        "display": InvitationRule.Display.BUBBLE,
        "frequency": InvitationRule.Frequency.VISIT,
        "signed_by": "anna",
    },
    {
        "name": "Returning visitor",
        "priority": 0,
        "visit_kind": InvitationRule.VisitKind.RETURNING,
        "seconds_on_page": 5,
        "text": "Welcome back to {site_name}! Looking for something in particular? "
        "Write to us, we're happy to help.",
        "display": InvitationRule.Display.BUBBLE,
        "frequency": InvitationRule.Frequency.DAYS,
        "frequency_days": 1,
        "signed_by": None,
    },
]


class Command(BaseCommand):
    help = "Add the two example proactive invitations to the demo shop."

    @transaction.atomic
    def handle(self, *args, **options):
        site = Site.objects.filter(widget_key=SHOP).first()
        if site is None:
            raise CommandError("Run seed_demo first: there is no demo shop.")
        anna = Operator.objects.filter(user__username="anna", account=site.account).first()
        if anna is not None:
            anna.can_manage_site_settings = True
            anna.save(update_fields=["can_manage_site_settings"])
        for spec in RULES:
            spec = dict(spec)
            username = spec.pop("signed_by")
            operator = anna if username == "anna" else None
            InvitationRule.objects.update_or_create(
                site=site, name=spec.pop("name"), defaults={**spec, "operator": operator}
            )
        self.stdout.write(f"{len(RULES)} invitations on {site.name}.")
