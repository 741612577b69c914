"""Stored days (reports.days): the first page that shows a past day stores its figures per
site and time zone, later pages read them, and a dialog's new facts make the page build
its days again; the figures never change with what is stored."""

import datetime

import pytest
from django.core.management import call_command
from report_dataset import BERLIN, CURRENT

from chat.dialogs.lifecycle import close_locked_dialog
from chat.models import Dialog, Message
from leads.models import Lead
from reports import facts, metrics
from reports.models import SettledDay

pytestmark = pytest.mark.django_db

URL = "/console/reports/"


def summary(client) -> dict:
    report = client.get(URL, CURRENT).context["report"]
    return {f.key: (f.current, f.previous) for f in report.summary}


def test_past_days_are_stored_per_site_and_zone_and_read_back(client, alice, month):
    facts.rebuild()
    client.force_login(alice.user)
    first = summary(client)
    # Both periods, 16-29 March, for Alice's one site, in her zone.
    stored = SettledDay.objects.order_by("day")
    assert [(d.zone, d.day.isoformat()) for d in stored] == [
        ("Europe/Berlin", f"2026-03-{day}") for day in range(16, 30)
    ]
    # D5 (27th), D4 (26th) and D9 (23rd) are open: named, walked by every page.
    assert {d.day.day: d.unsettled for d in stored if d.unsettled} == {
        23: [month["d9"].id],
        26: [month["d4"].id],
        27: [month["d5"].id],
    }
    assert summary(client) == first
    assert first["started"] == (6, 2) and first["messages"] == (6, 1)
    assert first["first_response_median"] == (120, 60)
    # Another zone has days of its own, with its own midnight.
    alice.time_zone = "UTC"
    alice.save()
    assert summary(client)["started"] == (5, 3)
    assert SettledDay.objects.filter(zone="UTC").count() == 14


def test_new_facts_of_a_dialog_make_its_days_built_again(client, alice, month):
    facts.rebuild()
    client.force_login(alice.user)
    assert summary(client)["messages"] == (6, 1)
    # Bob's reply in D1 (23rd) removed around the services, then its facts rewritten.
    Message.objects.filter(dialog=month["d1"], operator__display_name="Bob").delete()
    facts.refresh([month["d1"].id])
    assert not SettledDay.objects.filter(day=datetime.date(2026, 3, 23)).exists()
    figures = summary(client)
    assert figures["messages"] == (5, 1)
    assert figures["reply_median"] == (60, None)


def test_an_open_dialog_closed_later_is_counted_once(
    client, alice, month, django_capture_on_commit_callbacks
):
    facts.rebuild()
    client.force_login(alice.user)
    before = summary(client)
    # Ended today, out of both periods: the dialog_ended hook writes its facts.
    with django_capture_on_commit_callbacks(execute=True):
        close_locked_dialog(Dialog.objects.get(pk=month["d5"].pk), note="Ended")
    after = summary(client)
    assert after == before
    day = SettledDay.objects.get(day=datetime.date(2026, 3, 27))
    assert day.unsettled == [] and day.figures["started"] == 1


def test_a_lead_made_after_its_day_was_stored_counts(client, alice, month, site):
    client.force_login(alice.user)
    assert summary(client)["lead_share"] == (1 / 6, 0)
    Lead.objects.create(account=site.account, site=site, dialog=month["d2"], source="introduce")
    assert summary(client)["lead_share"] == (2 / 6, 0)


def test_the_rebuild_command_forgets_the_stored_days(client, alice, month):
    client.force_login(alice.user)
    first = summary(client)
    assert SettledDay.objects.exists()
    # The days that end after 25 March 00:00 in the server's zone (UTC) go.
    call_command("rebuild_report_facts", "--since", "2026-03-25")
    assert {d.day.day for d in SettledDay.objects.all()} == set(range(16, 25))
    call_command("rebuild_report_facts")
    assert not SettledDay.objects.exists()
    assert summary(client) == first


def test_today_is_never_stored(client, alice, month):
    client.force_login(alice.user)
    assert client.get(URL).status_code == 200  # the last 7 days, today included
    days = set(SettledDay.objects.values_list("day", flat=True))
    today = datetime.datetime.now(BERLIN).date()
    assert len(days) == 13 and max(days) < today


@pytest.mark.parametrize("p", [50, 90])
def test_a_percentile_of_whole_seconds_is_the_exact_one_rounded(p):
    times = [0.4, 29.5, 30.5, 59.9, 60.2, 120.49, 2400.0, 3.51, 7.0]
    counts = {}
    for value in times:
        counts[round(value)] = counts.get(round(value), 0) + 1
    assert metrics.percentile(counts, p) == round(metrics.percentile(times, p))
    assert metrics.percentile({}, p) is None
