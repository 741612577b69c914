"""The rating in the console: the dialog page's header and visitor card, History's column
and filter (fixed query counts), tenancy; in the widget page (the site's scale), in the
CRM payload, and gone from an erased visitor's ratings."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from chat.visitors import erasure
from crm import payloads
from satisfaction import services
from satisfaction.models import Rating, RatingSettings

pytestmark = pytest.mark.django_db

HISTORY = "/console/history/"
ANY_DATE = {"date_from": "", "date_to": ""}


def rate(dialog, score, comment=""):
    return services.rate_dialog(
        visitor_id=dialog.visitor_id, dialog_id=dialog.id, score=score, comment=comment
    )


def dialog_page(client, dialog):
    return client.get(reverse("console:dialog", args=[dialog.id]))


def test_the_dialog_page_shows_the_rating_in_its_header_and_the_visitor_card(alice_client, dialog):
    rate(dialog, 2, "Waited <too> long")
    html = dialog_page(alice_client, dialog).content.decode()
    header = re.search(
        r'<span class="dialog-rating" id="dialog-rating".*?</span>\s*</div>', html, re.S
    )
    assert header and "Rated 2 of 5" in header.group(0) and "rating-bad" in header.group(0)
    card = re.search(r'id="card-rating".*?</dd>', html, re.S).group(0)
    assert "Waited &lt;too&gt; long" in card and "<too>" not in html


def test_an_unrated_dialog_has_empty_places_for_the_live_rating(alice_client, dialog):
    html = dialog_page(alice_client, dialog).content.decode()
    assert (
        '<span class="dialog-rating" id="dialog-rating" data-rating-part="header"></span>' in html
    )
    assert 'id="card-rating"' in html


def test_the_rating_costs_the_dialog_page_one_query_rated_or_not(
    alice_client, dialog, make_dialog, site, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rated = make_dialog(site)
    rate(rated, 5, "Great")
    dialog_page(alice_client, dialog)
    with CaptureQueriesContext(connection) as unrated_queries:
        dialog_page(alice_client, dialog)
    with django_assert_num_queries(len(unrated_queries)):
        response = dialog_page(alice_client, rated)
    assert "Rated 5 of 5" in response.content.decode()
    assert sum("satisfaction_rating" in q["sql"] for q in unrated_queries) == 1


def test_the_page_is_in_the_operators_language(client, make_operator, site, dialog):
    ivan = make_operator(username="ivan", sites=[site], language="ru")
    client.force_login(ivan.user)
    rate(dialog, 5)
    assert "Оценка 5 из 5" in dialog_page(client, dialog).content.decode()


def test_another_accounts_operator_sees_neither_the_dialog_nor_its_rating(
    make_operator, make_site, dialog
):
    rate(dialog, 1, "Secret complaint")
    stranger_site = make_site(name="other.example")
    stranger = make_operator(username="mallory", sites=[stranger_site])
    client = Client()
    client.force_login(stranger.user)
    response = dialog_page(client, dialog)
    assert response.status_code in (403, 404)
    assert "Secret complaint" not in response.content.decode()
    for choice in ("any", "bad", ""):
        page = client.get(HISTORY, {**ANY_DATE, "rating": choice})
        assert page.status_code == 200
        assert "Secret complaint" not in page.content.decode()
        assert page.context["page"].paginator.count == 0


# --- History -----------------------------------------------------------------------------


@pytest.fixture
def rated_dialogs(make_dialog, site):
    """Rated 5, 4 (good), 3, 1 (bad) and one not rated."""
    dialogs = [make_dialog(site) for _ in range(5)]
    for dialog, score in zip(dialogs, (5, 4, 3, 1), strict=False):
        rate(dialog, score, f"comment {score}")
    return dialogs


@pytest.mark.parametrize(
    "choice, scores",
    [
        ("good", [5, 4]),
        ("bad", [3, 1]),
        ("any", [5, 4, 3, 1]),
        ("none", [None]),
        ("", [5, 4, 3, 1, None]),
    ],
)
def test_history_filters_by_rating(alice_client, rated_dialogs, choice, scores):
    response = alice_client.get(HISTORY, {**ANY_DATE, "rating": choice})
    rows = response.context["page"].object_list
    shown = sorted((getattr(getattr(row, "rating", None), "score", None) for row in rows), key=str)
    assert shown == sorted(scores, key=str)


def test_history_shows_a_rating_column(alice_client, rated_dialogs):
    html = alice_client.get(HISTORY, ANY_DATE).content.decode()
    assert '<th scope="col">Rating</th>' in html
    assert html.count('<td class="h-rating">') == 5
    assert html.count('class="rating rating-good rating-compact"') == 2
    assert html.count('class="rating rating-bad rating-compact"') == 2
    assert 'id="id_rating"' in html  # the filter's field


def test_a_bad_rating_choice_is_a_form_error(alice_client, rated_dialogs):
    response = alice_client.get(HISTORY, {**ANY_DATE, "rating": "great"})
    assert response.context["page"] is None
    assert "rating" in response.context["filter"].form.errors


def test_history_counts_the_rating_filter_as_active(alice_client, rated_dialogs):
    response = alice_client.get(HISTORY, {**ANY_DATE, "rating": "good"})
    assert response.context["active_filters"] == 1


@pytest.mark.parametrize("rated", [1, 30])
def test_history_query_count_is_fixed_with_ratings_and_the_filter(
    alice_client, make_dialog, site, rated, django_assert_num_queries
):
    for n in range(rated):
        rate(make_dialog(site), 1 + n % 5)
    # As tests/chat/test_history.py: session, user, operator, tab counters, total, ids,
    # rows (their rating joined), participants, the rows' tags, site, operator and tag
    # choices.
    with django_assert_num_queries(12):
        response = alice_client.get(HISTORY, ANY_DATE)
    assert len(response.context["page"].object_list) == rated
    with django_assert_num_queries(12):
        response = alice_client.get(HISTORY, {**ANY_DATE, "rating": "any"})
    assert response.context["page"].paginator.count == rated


# --- widget page, CRM payload, erasure -------------------------------------------------------


def widget_config(client, site):
    html = client.get(reverse("widget", args=[site.widget_key])).content.decode()
    found = re.search(r'<script id="lc-rating-config" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1)), html


@pytest.mark.parametrize("scale", ["stars", "thumbs", "off"])
def test_the_widget_page_carries_the_sites_scale(client, site, scale):
    RatingSettings.objects.create(site=site, scale=scale, change_minutes=3)
    config, html = widget_config(client, site)
    assert config == {
        "scale": scale,
        "change_minutes": 3,
        "comment_max_length": 1000,
        "site": site.widget_key,
    }
    assert 'id="lc-rating-template"' in html and "satisfaction/widget-rating.js" in html


def test_a_site_without_settings_asks_with_stars(client, site):
    assert widget_config(client, site)[0]["scale"] == "stars"


def test_the_crm_payload_carries_the_rating(dialog, make_dialog, site):
    rating = rate(dialog, 4, "Fine")
    data = payloads.dialog_data(dialog)
    assert data["rating"] == {
        "scale": "stars",
        "score": 4,
        "good": True,
        "comment": "Fine",
        "rated_at": rating.updated_at.isoformat(),
    }
    assert payloads.dialog_data(make_dialog(site))["rating"] is None


def test_erasing_the_visitor_blanks_his_comment_and_keeps_the_score(dialog):
    rate(dialog, 2, "Call me at +7 999 000 11 22")
    erasure.erase_visitors([dialog.visitor_id])
    rating = Rating.objects.get()
    assert (rating.score, rating.good, rating.comment) == (2, False, "")


def test_the_demo_seed_rates_a_few_dialogs_once():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_ratings", verbosity=0)
    call_command("seed_demo_ratings", verbosity=0)
    ratings = Rating.objects.filter(dialog__account__name="Demo company")
    assert ratings.count() == 6
    assert set(ratings.values_list("scale", flat=True)) == {"stars", "thumbs"}
    assert ratings.filter(good=False).exclude(comment="").exists()


def test_the_admin_edits_rating_settings_and_lists_ratings(admin_client, dialog, site):
    rate(dialog, 3, "So-so")
    assert admin_client.get("/admin/satisfaction/rating/").status_code == 200
    response = admin_client.post(
        "/admin/satisfaction/ratingsettings/add/",
        {"site": site.id, "scale": "thumbs", "change_minutes": 15},
    )
    assert response.status_code == 302
    assert RatingSettings.objects.get(site=site).scale == "thumbs"
    response = admin_client.post(
        "/admin/satisfaction/ratingsettings/add/",
        {"site": site.id, "scale": "stars", "change_minutes": 100000},
    )
    assert response.status_code == 200  # refused: already set for the site, too many minutes
