"""Business hours for the demo (after seed_demo). Safe to run again.

The demo shop and blog stay open around the clock, so a new user of `make run` can chat at
any hour. A third site, "Demo service desk", works Mon-Fri 09:00-20:00 and Sat 10:00-16:00
Moscow time, closed on New Year's Day: outside those hours its widget shows the offline
form with the next opening time ("Try another site" on /demo/). Anna may manage the
settings of her sites (Site settings in her menu), Boris may not.
"""

from datetime import date, time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chat.console import withdrawal
from chat.models import Site
from engage import hours_schedule
from engage.models import SiteHours, SpecialDay, WeeklyRange
from operators.models import Account, Operator

ACCOUNT = "Demo company"
SITE = ("Demo service desk", "demo-hours-key", "#7c3aed")
ZONE = "Europe/Moscow"
WEEK = [(day, time(9), time(20)) for day in range(5)] + [(5, time(10), time(16))]
MANAGERS = ["anna"]


def next_new_year(today: date) -> date:
    return date(today.year + 1, 1, 1)


class Command(BaseCommand):
    help = "Give the demo a site with business hours and let Anna manage site settings."

    @transaction.atomic
    def handle(self, *args, **options):
        account = Account.objects.filter(name=ACCOUNT).first()
        if account is None:
            raise CommandError("Run seed_demo first.")
        name, key, color = SITE
        site, _ = Site.objects.update_or_create(
            widget_key=key,
            defaults={
                "account": account,
                "name": name,
                "domains": "localhost\n127.0.0.1",
                "widget_color": color,
            },
        )
        hours, _ = SiteHours.objects.update_or_create(
            site=site, defaults={"enabled": True, "time_zone": ZONE}
        )
        hours.weekly.all().delete()
        WeeklyRange.objects.bulk_create(
            WeeklyRange(hours=hours, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in WEEK
        )
        hours.special_days.all().delete()
        SpecialDay.objects.create(
            hours=hours, date=next_new_year(date.today()), note="New Year's Day"
        )
        for operator in Operator.objects.filter(account=account):
            withdrawal.add_operator_to_site(operator, site)
        Operator.objects.filter(account=account, user__username__in=MANAGERS).update(
            can_manage_site_settings=True
        )
        transaction.on_commit(lambda: hours_schedule.forget(site.id))
        self.stdout.write(f"Business hours: {name} ({key}), {ZONE}; anna manages site settings.")
