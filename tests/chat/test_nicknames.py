"""Two open dialogs of one account never show the same anonymous nickname at once
(chat/visitors/nicknames.py): a visitor whose pair is shown by another open dialog gets a
free one."""

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from chat.dialogs import lifecycle
from chat.messaging import posting, ratelimit
from chat.models import Dialog, Visitor
from chat.realtime import events
from chat.visitors import animals

pytestmark = pytest.mark.django_db

_client_ids = iter(range(1, 1_000_000))


def visitor_with(site, animal: str) -> Visitor:
    return Visitor.objects.create(site=site, animal=animal)


def first_message(visitor: Visitor, text="Hello"):
    message, _created = posting.post_visitor_message(
        visitor_id=visitor.id, visit_id=None, client_id=f"n-{next(_client_ids)}", text=text
    )
    return message.dialog


def shown_names(account) -> list[str]:
    """The nicknames of the account's open dialogs, as the console's tabs show them."""
    dialogs = Dialog.objects.filter(account=account, status__in=Dialog.OPEN_STATUSES)
    return [dialog.visitor.display_name for dialog in dialogs.select_related("visitor")]


def test_a_second_grey_bear_gets_another_nickname(site):
    first, second = visitor_with(site, "grey-bear"), visitor_with(site, "grey-bear")
    first_message(first)
    first_message(second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.animal == "grey-bear"  # the first keeps his
    assert second.animal != "grey-bear" and second.animal in animals.PAIRS
    names = shown_names(site.account)
    assert len(names) == 2 and len(set(names)) == 2, names


def test_missed_dialogs_count_as_open(site):
    waiting = visitor_with(site, "grey-bear")
    Dialog.objects.filter(pk=first_message(waiting).pk).update(status=Dialog.Status.MISSED)
    newcomer = visitor_with(site, "grey-bear")
    first_message(newcomer)
    newcomer.refresh_from_db()
    assert newcomer.animal != "grey-bear"


def test_a_closed_dialog_frees_its_nickname(site, alice):
    earlier = visitor_with(site, "grey-bear")
    dialog = first_message(earlier)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.id)
    newcomer = visitor_with(site, "grey-bear")
    first_message(newcomer)
    newcomer.refresh_from_db()
    assert newcomer.animal == "grey-bear"


def test_other_accounts_do_not_take_a_nickname(site, make_site):
    elsewhere = make_site()
    first_message(visitor_with(elsewhere, "grey-bear"))
    visitor = visitor_with(site, "grey-bear")
    first_message(visitor)
    visitor.refresh_from_db()
    assert visitor.animal == "grey-bear"


def test_a_sister_site_of_the_account_takes_it(site, make_site):
    sister = make_site(account=site.account)
    first_message(visitor_with(sister, "grey-bear"))
    visitor = visitor_with(site, "grey-bear")
    first_message(visitor)
    visitor.refresh_from_db()
    assert visitor.animal != "grey-bear"


def test_once_every_pair_is_shown_a_number_tells_them_apart(site, monkeypatch):
    monkeypatch.setattr(ratelimit, "take_dialog_slot", lambda **kwargs: None)
    for pair in animals.PAIRS:
        first_message(visitor_with(site, pair))
    late = [visitor_with(site, "grey-owl") for _ in range(3)]
    for visitor in late:
        first_message(visitor)
    assert sorted(Visitor.objects.get(pk=v.pk).animal for v in late) == [
        "grey-owl-2",
        "grey-owl-3",
        "grey-owl-4",
    ]
    names = shown_names(site.account)
    assert len(names) == len(animals.PAIRS) + 3 == len(set(names))
    with translation.override("ru"):
        assert Visitor.objects.get(pk=late[0].pk).display_name in {
            "Серая сова 2",
            "Серая сова 3",
            "Серая сова 4",
        }


def test_a_new_pair_keeps_russian_gender_agreement():
    with translation.override("ru"):
        assert animals.nickname("grey-owl") == "Серая сова"
        assert animals.nickname("grey-bear") == "Серый медведь"
        assert animals.nickname("grey-owl-2") == "Серая сова 2"
    with translation.override("en"):
        assert animals.nickname("grey-bear-12") == "Grey Bear 12"
    assert animals.icon("grey-owl-2") == animals.icon("grey-owl")


def test_free_key_keeps_a_free_pair_and_orders_by_seed():
    assert animals.free_key("blue-fox", "seed", {"grey-bear"}) == "blue-fox"
    taken = {"blue-fox"}
    expected = next(pair for pair in animals.pairs_for("a") if pair not in taken)
    assert animals.free_key("blue-fox", "a", taken) == expected
    # Seeds spread the visitors who must move over different pairs.
    assert len({animals.free_key("blue-fox", f"s{n}", taken) for n in range(20)}) > 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_grey_bears_starting_at_the_same_moment_get_distinct_nicknames(site, monkeypatch):
    """Both transactions are inside the opening of their dialog at once (a barrier holds
    them just before the account's lock): the second must see the first's nickname."""
    monkeypatch.setattr(events, "publish", lambda *sends: None)
    first, second = visitor_with(site, "grey-bear"), visitor_with(site, "grey-bear")
    barrier = threading.Barrier(2, timeout=30)
    take_slot = ratelimit.take_dialog_slot

    def take_slot_together(**kwargs):
        take_slot(**kwargs)
        barrier.wait()

    monkeypatch.setattr(ratelimit, "take_dialog_slot", take_slot_together)
    errors = []

    def start(visitor):
        try:
            first_message(visitor)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(v,)) for v in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Dialog.objects.filter(account=site.account).count() == 2
    animals_now = {Visitor.objects.get(pk=v.pk).animal for v in (first, second)}
    assert len(animals_now) == 2 and "grey-bear" in animals_now
