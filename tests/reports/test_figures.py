"""Every figure of the Reports page over the hand-built month (report_dataset.py), worked
out by hand here, checked on the page (its data-value attributes and text) and in each
CSV table."""

import csv
import io
import re

import pytest
from report_dataset import CURRENT

pytestmark = pytest.mark.django_db

URL = "/console/reports/"

# Current period 23-29 March (Berlin), previous 16-22 March. Durations in seconds.
# started: D1 D2 D3 D4 D5 D9 | D6 D8. answered: D1 D2 D3 D5 | D6. missed: D4 | D8.
# ended (closed_at in the period): D1 D2 D3 D8 | D6; closed automatically: D2 | none.
# First responses: D1 30, D2 120, D3 2400 (40 real minutes across the DST change), D5 600
#   -> sorted 30 120 600 2400: median = 2nd (ceil(.5*4)), p90 = 4th (ceil(.9*4)) | D6 60.
# Replies: D1 60 (Alice: the wait starts at 10:05:00, not 10:05:10) and 120 (Bob) -> 60 | none.
# Durations: D1 1200, D2 2400, D3 3600 (01:30 CET to 03:30 CEST), D8 36000 -> 2400 | 1830.
# Operator messages in the period: Alice 4 (D1 x2, D3, D5), Bob 2 -> 6 | Alice 1 (D6).
# Leads: Ivan (D1) and Olga (offline form) -> 2 | 0; with a lead: D1 of 6 -> 16.7 % | 0 of 2.
# Ratings given: D1 5, D2 1 (thumbs down), D3 4 | D6 3 -> 3 | 1; average 10/3 = 3.33 | 3;
# good (4 or 5): 2 of 3 -> 66.7 % | 0 of 1. The other sites' ratings count nowhere.
SUMMARY = {
    "started": (6, 2),
    "answered": (4, 1),
    "missed": (1, 1),
    "ended": (4, 1),
    "auto_closed": (1, 0),
    "first_response_median": (120, 60),
    "first_response_p90": (2400, 60),
    "reply_median": (60, None),
    "duration_median": (2400, 1830),
    "messages": (6, 1),
    "leads": (2, 0),
    "lead_share": (16.7, 0.0),
    "ratings": (3, 1),
    "rating_average": (3.33, 3.0),
    "rating_good_share": (66.7, 0.0),
}
# On the page, as fractions (data-value) rather than the CSV's rounded numbers.
PAGE_FRACTIONS = {
    "lead_share": (1 / 6, 0),
    "rating_average": (10 / 3, 3),
    "rating_good_share": (2 / 3, 0),
}
# Per operator: dialogs he wrote in; his messages; median of the first responses he gave
# (Alice: D1 30, D3 2400, D5 600 -> 600); of his replies; seconds online.
# Alice online: previous 1 h (16th 00:00-01:00) + 1 h (22nd 23:00-24:00) = 7200; current
# 2 h (23rd 00:00-02:00) + 5 h (28th 22:00 CET - 29th 04:00 CEST) + 1 h (29th 23:00 to the
# period's end, still online) = 28800. Bob 25th 10:00-10:30 = 1800.
OPERATORS = {
    "Alice": {
        "dialogs": (3, 1),
        "messages": (4, 1),
        "first_response_median": (600, 60),
        "reply_median": (60, None),
        "online": (28800, 7200),
    },
    "Bob": {
        "dialogs": (2, 0),
        "messages": (2, 0),
        "first_response_median": (120, None),
        "reply_median": (120, None),
        "online": (1800, 0),
    },
}
DAILY = [
    ("2026-03-23", 2, 30),  # D1 and D9 (00:20 Berlin); D9 unanswered
    ("2026-03-24", 1, 120),  # D2 at 23:50, ended after midnight
    ("2026-03-25", 0, None),
    ("2026-03-26", 1, None),
    ("2026-03-27", 1, 600),
    ("2026-03-28", 0, None),
    ("2026-03-29", 1, 2400),
]
HEATMAP = {(0, 0): 1, (0, 10): 1, (1, 23): 1, (3, 15): 1, (4, 9): 1, (6, 1): 1}


def number(text):
    if text == "":
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def page_summary(html) -> dict:
    figures = {}
    for key, body in re.findall(r'<li class="r-figure" data-key="(\w+)">(.*?)</li>', html, re.S):
        current = re.search(r'class="r-value" data-value="([^"]*)"', body).group(1)
        previous = re.search(r'class="r-prev-value" data-value="([^"]*)"', body).group(1)
        figures[key] = (current, previous)
    return figures


def as_page_value(value, key):
    if value is None:
        return ""
    if key == "lead_share":
        return None  # a fraction on the page (0.1666...), checked apart
    return str(value)


def test_every_summary_figure_on_the_page_and_in_the_csv(client, alice, month):
    client.force_login(alice.user)
    html = client.get(URL, CURRENT).content.decode()

    on_page = page_summary(html)
    assert list(on_page) == list(SUMMARY)
    for key, (current, previous) in SUMMARY.items():
        if key in PAGE_FRACTIONS:
            seen = tuple(float(v) for v in on_page[key])
            assert seen == pytest.approx(PAGE_FRACTIONS[key]), key
            continue
        seen = tuple(number(v) if v else None for v in on_page[key])
        assert seen == (current, previous), key
    # The figures as people read them.
    assert "2 min 00 s" in html  # first response median
    assert "40 min 00 s" in html  # p90 and the median duration
    assert "16.7 %" in html
    assert "3.33 / 5" in html and "66.7 %" in html

    rows = read_csv(client.get(URL + "summary.csv", CURRENT))
    assert rows[0] == ["Figure", "This period", "Previous period", "Unit"]
    csv_figures = [(number(r[1]), number(r[2])) for r in rows[1:]]
    assert csv_figures == list(SUMMARY.values())
    assert rows[6][0] == "First response, median" and rows[6][3] == "seconds"


def test_every_operator_figure_on_the_page_and_in_the_csv(client, alice, bob, month):
    client.force_login(alice.user)
    html = client.get(URL, CURRENT).content.decode()
    for name, figures in OPERATORS.items():
        operator_id = alice.id if name == "Alice" else bob.id
        row = re.search(rf'<tr data-operator="{operator_id}">(.*?)</tr>', html, re.S).group(1)
        assert f">{name}</th>" in row
        for key, (current, previous) in figures.items():
            cell = re.search(rf'data-key="{key}"[^>]*>(.*?)</td>', row, re.S).group(1)
            values = re.findall(r'data-value="([^"]*)"', cell)
            assert [number(v) for v in values] == [current, previous], (name, key)
    assert "8 h 00 min" in html  # Alice's time online

    rows = read_csv(client.get(URL + "operators.csv", CURRENT))
    assert rows[0][:3] == ["Operator", "Dialogs (count)", "Dialogs, previous period (count)"]
    by_name = {row[0]: [number(v) for v in row[1:]] for row in rows[1:]}
    assert set(by_name) == {"Alice", "Bob"}  # nobody from the other site or account
    for name, figures in OPERATORS.items():
        expected = [v for pair in figures.values() for v in pair]
        assert by_name[name] == expected, name


def test_the_daily_chart_and_its_numbers(client, alice, month):
    client.force_login(alice.user)
    response = client.get(URL, CURRENT)
    assert [
        (d["day"].isoformat(), d["started"], d["first_response_median"])
        for d in response.context["report"].daily
    ] == DAILY
    html = response.content.decode()
    svg = re.search(r'<figure class="r-chart r-daily-chart">(.*?)</figure>', html, re.S).group(1)
    assert svg.count('class="r-bar"') == 7
    assert "<title>03/23/2026: 2 dialogs, first response, median 30 s</title>" in svg
    assert "<polyline" in svg  # the first response line

    rows = read_csv(client.get(URL + "daily.csv", CURRENT))
    assert rows[0] == ["Day", "Dialogs started", "First response, median (seconds)"]
    assert [(r[0], number(r[1]), number(r[2])) for r in rows[1:]] == DAILY


def test_the_heatmap_counts_in_the_operators_zone(client, alice, month):
    client.force_login(alice.user)
    response = client.get(URL, CURRENT)
    grid = response.context["report"].heatmap
    cells = {(w, h): v for w, row in enumerate(grid) for h, v in enumerate(row) if v}
    assert cells == HEATMAP
    html = response.content.decode()
    assert "<title>Tuesday 23:00 — 1</title>" in html
    assert html.count('class="r-cell"') == len(HEATMAP)  # the others are r-cell-empty

    rows = read_csv(client.get(URL + "heatmap.csv", CURRENT))
    assert rows[0] == ["Weekday"] + [f"{h:02d}" for h in range(24)]
    assert [r[0] for r in rows[1:]] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert {
        (w, h): int(v) for w, row in enumerate(rows[1:]) for h, v in enumerate(row[1:]) if v != "0"
    } == HEATMAP


def test_the_same_data_in_utc_moves_the_midnight_dialogs(client, alice, month):
    """In UTC D9 (00:20 Berlin = 23:20 UTC on Sunday 22nd) falls in the previous period,
    D2 (23:50 Berlin) starts at 22:50 on Tuesday, D3 (01:30 CET) at 00:30 on Sunday."""
    alice.time_zone = "UTC"
    alice.save()
    client.force_login(alice.user)
    report = client.get(URL, CURRENT).context["report"]
    figures = {f.key: (f.current, f.previous) for f in report.summary}
    assert figures["started"] == (5, 3)
    cells = {(w, h) for w, row in enumerate(report.heatmap) for h, v in enumerate(row) if v}
    assert cells == {(0, 9), (1, 22), (3, 14), (4, 8), (6, 0)}
    assert "Time zone: UTC" in client.get(URL, CURRENT).content.decode()


def test_one_site_narrows_every_figure(client, alice, month, make_site):
    blog = make_site(account=alice.account, name="blog.example", operators=[alice])
    client.force_login(alice.user)
    report = client.get(URL, {**CURRENT, "site": blog.id}).context["report"]
    assert {f.key: f.current for f in report.summary}["started"] == 0
    everything = client.get(URL, CURRENT).context["report"]
    assert {f.key: f.current for f in everything.summary}["started"] == 6


def test_every_figure_links_to_its_definition(client, alice, month):
    client.force_login(alice.user)
    html = client.get(URL, CURRENT).content.decode()
    anchors = set(re.findall(r'href="/console/reports/definitions/#([\w-]+)"', html))
    assert len(anchors) >= 14
    definitions = client.get("/console/reports/definitions/").content.decode()
    for anchor in anchors:
        assert f'id="{anchor}"' in definitions, anchor


def test_the_latest_rating_comments_newest_first_and_escaped(client, alice, month):
    client.force_login(alice.user)
    html = client.get(URL, CURRENT).content.decode()
    section = re.search(r'<ul class="r-comments" id="r-comments">(.*?)</ul>', html, re.S).group(1)
    comments = re.findall(r'<q class="r-comment-text">(.*?)</q>', section, re.S)
    # D2's (25th) before D1's (23rd); D3 has none, D6's is in the previous period, and the
    # other sites' are not Alice's to see.
    assert comments == ["Too slow", "Quick &amp; &lt;b&gt;clear&lt;/b&gt;"]
    assert f'href="/console/dialogs/{month["d2"].id}/"' in section
    assert "Not for Alice" not in html and "Fine" not in section
