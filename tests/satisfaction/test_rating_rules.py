"""The rules of rating a dialog (satisfaction.services): who, when, what, how often; every
refusal is a ChatError with its code and changes nothing."""

import datetime

import pytest
from django.utils import timezone

from chat.errors import ChatError
from satisfaction import services
from satisfaction.models import Rating, RatingSettings

pytestmark = pytest.mark.django_db


def rate(dialog, **fields):
    args = {"visitor_id": dialog.visitor_id, "dialog_id": dialog.id, "score": 5, **fields}
    return services.rate_dialog(**args)


def snapshot():
    return list(Rating.objects.order_by("id").values())


def test_a_visitor_rates_his_ended_dialog_with_stars(dialog):
    before = timezone.now()
    rating = rate(dialog, score=4, comment="  Quick, thanks!  ")
    rating.refresh_from_db()
    assert (rating.scale, rating.score, rating.good, rating.comment) == (
        "stars",
        4,
        True,
        "Quick, thanks!",
    )
    window = rating.changeable_until - before
    assert datetime.timedelta(minutes=10) <= window < datetime.timedelta(minutes=10, seconds=5)


@pytest.mark.parametrize("score, good", [(1, False), (2, False), (3, False), (4, True), (5, True)])
def test_good_is_four_or_five_stars(dialog, score, good):
    assert rate(dialog, score=score).good is good


def test_thumbs_are_stored_as_five_and_one(dialog, thumbs):
    assert (rate(dialog, score=5).scale, Rating.objects.get().good) == ("thumbs", True)
    rating = rate(dialog, score=1)
    assert (rating.score, rating.good) == (1, False)


def test_the_rating_can_be_changed_within_the_window_and_keeps_its_deadline(dialog):
    first = rate(dialog, score=2, comment="slow")
    later = first.changeable_until - datetime.timedelta(seconds=1)
    second = rate(dialog, score=5, comment="", now=later)
    assert Rating.objects.count() == 1
    second.refresh_from_db()
    assert (second.score, second.comment, second.good) == (5, "", True)
    assert second.changeable_until == first.changeable_until


def test_the_window_is_the_sites_setting(dialog, site):
    RatingSettings.objects.create(site=site, scale="stars", change_minutes=2)
    rating = rate(dialog)
    assert rating.changeable_until - rating.created_at < datetime.timedelta(minutes=2, seconds=5)


def assert_refused(code, dialog, **fields):
    before = snapshot()
    with pytest.raises(ChatError) as refused:
        rate(dialog, **fields)
    assert refused.value.code == code
    assert snapshot() == before
    return refused.value


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"score": 0}, "bad_score"),
        ({"score": 6}, "bad_score"),
        ({"score": -1}, "bad_score"),
        ({"score": "5"}, "invalid"),
        ({"score": 4.5}, "invalid"),
        ({"score": True}, "invalid"),
        ({"score": None}, "invalid"),
        ({"dialog_id": "1"}, "invalid"),
        ({"dialog_id": None}, "invalid"),
        ({"comment": 5}, "invalid"),
        ({"comment": ["x"]}, "invalid"),
        ({"comment": "x" * 1001}, "too_long"),
    ],
)
def test_bad_input_is_refused(dialog, fields, code):
    assert_refused(code, dialog, **fields)


def test_a_comment_of_the_limit_is_accepted(dialog):
    assert len(rate(dialog, comment="я" * 1000).comment) == 1000


def test_thumbs_take_only_up_or_down(dialog, thumbs):
    for score in (2, 3, 4):
        assert_refused("bad_score", dialog, score=score)


def test_another_visitors_dialog_is_not_found(dialog, make_dialog, site):
    other = make_dialog(site)
    assert_refused("not_found", dialog, visitor_id=other.visitor_id)
    assert_refused("not_found", dialog, dialog_id=dialog.id + 10_000)


def test_an_open_dialog_cannot_be_rated(make_dialog, site):
    assert_refused("not_ended", make_dialog(site, ended=False))


def test_a_site_that_does_not_ask_refuses(dialog, site):
    RatingSettings.objects.create(site=site, scale="off")
    assert_refused("rating_off", dialog)


def test_a_rating_is_final_after_its_window(dialog):
    rating = rate(dialog, score=5, comment="great")
    after = rating.changeable_until + datetime.timedelta(seconds=1)
    assert_refused("rating_final", dialog, score=1, comment="changed my mind", now=after)
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (5, "great")


def test_a_dialog_ended_long_ago_cannot_get_a_first_rating(dialog):
    late = dialog.closed_at + datetime.timedelta(hours=services.FIRST_RATING_HOURS, seconds=1)
    assert_refused("too_late", dialog, now=late)
    in_time = dialog.closed_at + datetime.timedelta(hours=services.FIRST_RATING_HOURS - 1)
    assert rate(dialog, now=in_time).score == 5


def test_a_rating_takes_a_fixed_number_of_queries(dialog, django_assert_num_queries):
    # The dialog locked, the site's settings, the rating looked up, its insert or update,
    # inside the test's transaction: a savepoint and its release.
    with django_assert_num_queries(6):
        rate(dialog, score=3)
    with django_assert_num_queries(6):
        rate(dialog, score=4)
