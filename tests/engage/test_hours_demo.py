"""The demo's business hours (seed_demo_hours, run by `make run` after seed_demo)."""

from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chat.dialogs import availability
from chat.models import Site
from engage.models import SiteHours
from operators.models import Operator

pytestmark = pytest.mark.django_db


def test_the_demo_shows_business_hours_and_still_chats_at_any_hour():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_hours", stdout=StringIO())
    call_command("seed_demo_hours", stdout=StringIO())  # safe to run again
    desk = Site.objects.get(widget_key="demo-hours-key")
    hours = SiteHours.objects.get(site=desk)
    assert hours.enabled and hours.time_zone == "Europe/Moscow"
    assert sorted(hours.weekly.values_list("weekday", "opens", "closes")) == [
        (day, time(9), time(20)) for day in range(5)
    ] + [(5, time(10), time(16))]
    assert hours.special_days.filter(opens__isnull=True).count() == 1
    # The shop and the blog have no hours: open around the clock.
    for key in ("demo-shop-key", "demo-blog-key"):
        assert availability.site_is_open(Site.objects.get(widget_key=key).id)
    assert Operator.objects.get(user__username="anna").can_manage_site_settings
    assert not Operator.objects.get(user__username="boris").can_manage_site_settings
    assert set(desk.operators.values_list("user__username", flat=True)) == {"anna", "boris"}


def test_it_needs_seed_demo_first():
    with pytest.raises(CommandError):
        call_command("seed_demo_hours", stdout=StringIO())
