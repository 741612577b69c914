"""The demo's routing (seed_demo_routing, run by `make run` after seed_demo_hours)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chat.models import Site
from routing.models import OperatorRouting, RoutingSettings

pytestmark = pytest.mark.django_db


def test_the_demo_shop_routes_to_everyone_and_anna_and_boris_have_limits():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_hours", stdout=StringIO())
    call_command("seed_demo_routing", stdout=StringIO())
    shop = Site.objects.get(widget_key="demo-shop-key")
    routing = RoutingSettings.objects.get(site=shop)
    assert routing.mode == RoutingSettings.Mode.EVERYONE
    limits = dict(OperatorRouting.objects.values_list("operator__user__username", "capacity"))
    assert limits == {"anna": 2, "boris": 1}


def test_a_switch_made_in_the_console_survives_the_next_make_run():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_routing", stdout=StringIO())
    RoutingSettings.objects.update(mode=RoutingSettings.Mode.AUTO_ASSIGN)
    call_command("seed_demo_routing", stdout=StringIO())
    assert RoutingSettings.objects.get().mode == RoutingSettings.Mode.AUTO_ASSIGN


def test_it_needs_the_demo():
    with pytest.raises(CommandError):
        call_command("seed_demo_routing", stdout=StringIO())
