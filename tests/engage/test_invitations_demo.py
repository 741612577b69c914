"""seed_demo_invitations: the demo shop's two example rules, Anna allowed to edit them,
and running it again changes nothing."""

import pytest
from django.core.management import call_command

from engage.rule_models import InvitationRule
from operators.models import Operator


@pytest.mark.django_db
def test_the_demo_shop_gets_its_two_rules_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo_invitations")
    call_command("seed_demo_invitations")
    rules = {r.name: r for r in InvitationRule.objects.select_related("site", "operator")}
    assert set(rules) == {"Delivery question", "Returning visitor"}
    delivery, returning = rules["Delivery question"], rules["Returning visitor"]
    assert delivery.site.widget_key == "demo-shop-key"
    assert (delivery.url_pattern, delivery.seconds_on_page, delivery.operator.name) == (
        "view=delivery",
        20,
        "Anna",
    )
    assert returning.visit_kind == "returning" and returning.operator is None
    assert Operator.objects.get(user__username="anna").can_manage_site_settings
    assert not Operator.objects.get(user__username="boris").can_manage_site_settings


@pytest.mark.django_db
def test_without_the_demo_it_says_what_to_run():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_invitations")
