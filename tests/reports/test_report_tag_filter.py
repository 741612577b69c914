"""The Reports page filtered by tag (tags/report_filter.py through reports.dialog_filters):
every figure of the page and of its CSV tables counts only the dialogs carrying the tag,
worked out by hand over the month of report_dataset.py, with the per-dialog facts missing,
fresh or half there (on PostgreSQL the settled ones are summed in SQL)."""

import re

import pytest
from report_dataset import CURRENT
from test_figures import URL, number, page_summary, read_csv
from test_query_counts import CSV_QUERIES, PAGE_QUERIES, fill

from reports import facts
from reports.models import DialogFacts
from tags.models import DialogTag, Tag

pytestmark = pytest.mark.django_db

# VIP is on D1 and D2 (current period) and D6 (previous); the untagged D3 D4 D5 D8 D9 and
# the offline-form lead (no dialog) count nowhere.
# started D1 D2 | D6; answered the same; missed none; ended (closed in the period) D1 D2 |
# D6; automatically D2 | none. First responses D1 30, D2 120 -> median the 1st of 2 = 30,
# p90 the 2nd = 120 | 60. Replies D1 60 (Alice), 120 (Bob) -> 60 | none. Durations D1 1200,
# D2 2400 -> 1200 | 1830. Operator messages D1 Alice 2 + Bob 1, D2 Bob 1 -> 4 | 1. Leads
# Ivan (D1) -> 1 | 0; share 1 of 2 | 0 of 1. Ratings D1 5, D2 1 -> 2, average 3, good 1 of 2
# | D6 3 -> 1, 3, none good.
VIP_SUMMARY = {
    "started": (2, 1),
    "answered": (2, 1),
    "missed": (0, 0),
    "ended": (2, 1),
    "auto_closed": (1, 0),
    "first_response_median": (30, 60),
    "first_response_p90": (120, 60),
    "reply_median": (60, None),
    "duration_median": (1200, 1830),
    "messages": (4, 1),
    "leads": (1, 0),
    "lead_share": (50.0, 0.0),
    "ratings": (2, 1),
    "rating_average": (3.0, 3.0),
    "rating_good_share": (50.0, 0.0),
}
# Alice wrote in D1 (first response 30, reply 60) | D6 (60); Bob in D1 (reply 120) and D2
# (first response 120). Time online is the operators', not the dialogs': unchanged.
VIP_OPERATORS = {
    "Alice": [1, 1, 2, 1, 30, 60, 60, None, 28800, 7200],
    "Bob": [2, 0, 2, 0, 120, None, 120, None, 1800, 0],
}
VIP_DAILY = [
    ("2026-03-23", 1, 30),
    ("2026-03-24", 1, 120),
    ("2026-03-25", 0, None),
    ("2026-03-26", 0, None),
    ("2026-03-27", 0, None),
    ("2026-03-28", 0, None),
    ("2026-03-29", 0, None),
]
VIP_HEATMAP = {(0, 10): 1, (1, 23): 1}


@pytest.fixture(params=["no facts", "fresh", "half"])
def vip_month(month, site, request):
    vip = Tag.objects.create(account=site.account, name="VIP", colour="purple")
    other = Tag.objects.create(account=site.account, name="Delivery", colour="green")
    for name in ("d1", "d2", "d6"):
        DialogTag.objects.create(dialog=month[name], tag=vip)
    DialogTag.objects.create(dialog=month["d3"], tag=other)
    if request.param != "no facts":
        facts.rebuild()
    if request.param == "half":
        rows = DialogFacts.objects.order_by("dialog_id").values_list("dialog_id", flat=True)
        DialogFacts.objects.filter(dialog_id__in=list(rows)[::2]).delete()
    return vip


def test_every_figure_counts_only_the_tagged_dialogs(client, alice, bob, vip_month):
    client.force_login(alice.user)
    params = {**CURRENT, "tag": vip_month.id}
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()

    on_page = page_summary(html)
    for key, expected in VIP_SUMMARY.items():
        if key in ("lead_share", "rating_good_share"):
            expected = tuple(v / 100 for v in expected)
        assert tuple(number(v) if v else None for v in on_page[key]) == expected, key

    rows = read_csv(client.get(URL + "summary.csv", params))
    assert [(number(r[1]), number(r[2])) for r in rows[1:]] == list(VIP_SUMMARY.values())

    rows = read_csv(client.get(URL + "operators.csv", params))
    assert {r[0]: [number(v) for v in r[1:]] for r in rows[1:]} == VIP_OPERATORS

    report = response.context["report"]
    assert [
        (d["day"].isoformat(), d["started"], d["first_response_median"]) for d in report.daily
    ] == VIP_DAILY
    rows = read_csv(client.get(URL + "daily.csv", params))
    assert [(r[0], number(r[1]), number(r[2])) for r in rows[1:]] == VIP_DAILY

    cells = {(w, h): v for w, row in enumerate(report.heatmap) for h, v in enumerate(row) if v}
    assert cells == VIP_HEATMAP
    rows = read_csv(client.get(URL + "heatmap.csv", params))
    assert sum(number(v) for r in rows[1:] for v in r[1:]) == 2

    # The latest comments: the tagged dialogs' (D1, D2), the markup escaped.
    tagged = set(DialogTag.objects.filter(tag=vip_month).values_list("dialog_id", flat=True))
    assert {r.dialog_id for r in report.latest_comments} <= tagged
    assert "Quick &amp; &lt;b&gt;clear&lt;/b&gt;" in html and "Too slow" in html


def test_the_filter_is_kept_in_the_csv_links_and_shown_chosen(client, alice, vip_month):
    client.force_login(alice.user)
    html = client.get(URL, {**CURRENT, "tag": vip_month.id}).content.decode()
    links = re.findall(r'href="(/console/reports/\w+\.csv\?[^"]*)"', html)
    assert len(links) == 4
    assert all(f"tag={vip_month.id}" in link for link in links)
    assert re.search(rf'<option value="{vip_month.id}" selected>VIP</option>', html)
    assert ">Delivery</option>" in html
    assert re.search(r'Filter <span class="count">1</span>', html)


def test_no_tag_chosen_counts_every_dialog(client, alice, vip_month):
    client.force_login(alice.user)
    report = client.get(URL, {**CURRENT, "tag": ""}).context["report"]
    started = {f.key: f for f in report.summary}["started"]
    assert (started.current, started.previous) == (6, 2)  # test_figures.py's


def test_another_accounts_tag_is_refused(client, alice, vip_month, make_site):
    foreign = Tag.objects.create(account=make_site(name="else.example").account, name="VIP")
    client.force_login(alice.user)
    response = client.get(URL, {**CURRENT, "tag": foreign.id})
    assert response.status_code == 400
    assert response.context["report"] is None
    assert "Select a valid choice" in response.content.decode()
    response = client.get(URL + "summary.csv", {**CURRENT, "tag": foreign.id})
    assert response.status_code == 400
    assert client.get(URL, {**CURRENT, "tag": "x"}).status_code == 400


@pytest.mark.parametrize("count", [10, 2_000])
@pytest.mark.parametrize("with_facts", [False, True])
def test_the_filtered_page_and_csv_cost_the_same_queries_whatever_the_data(
    client, site, alice, bob, count, with_facts, django_assert_num_queries
):
    dialogs = fill(site, alice, bob, count)
    vip = Tag.objects.create(account=site.account, name="VIP")
    DialogTag.objects.bulk_create(DialogTag(dialog=d, tag=vip) for d in dialogs[::2])
    if with_facts:
        facts.rebuild()
    client.force_login(alice.user)
    params = {**CURRENT, "tag": vip.id}
    # the chosen tag, validated; no stored days read: a filtered page reads every day
    # from the dialogs (the stored days count every dialog)
    with django_assert_num_queries(PAGE_QUERIES + 1 - 1):
        response = client.get(URL, params)
    started = {f.key: f for f in response.context["report"].summary}["started"]
    assert started.current + started.previous == count // 2
    with django_assert_num_queries(CSV_QUERIES + 1 - 1):
        assert client.get(URL + "summary.csv", params).status_code == 200


def test_the_admin_report_filters_by_the_chosen_accounts_tag(
    admin_client, site, vip_month, make_site
):
    admin = "/admin/reports/report/"
    params = {**CURRENT, "account": site.account_id, "time_zone": "Europe/Berlin"}
    report = admin_client.get(admin, {**params, "tag": vip_month.id}).context["report"]
    started = {f.key: f for f in report.summary}["started"]
    assert (started.current, started.previous) == VIP_SUMMARY["started"]
    foreign = Tag.objects.create(account=make_site(name="else.example").account, name="VIP")
    assert admin_client.get(admin, {**params, "tag": foreign.id}).status_code == 400
