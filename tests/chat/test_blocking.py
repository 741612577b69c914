"""Block visitor: the IP blacklist, its matching rules, the console and admin, and what a
blocked visitor's widget gets (a socket closed with 4403, a 403 widget page)."""

import json

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.urls import reverse

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import posting
from chat.models import BlockedIP, Dialog, Message, Participant, Visit, Visitor
from chat.visitors import blocking

IP = "203.0.113.7"
OTHER_IP = "198.51.100.9"

# The blocked list page: session, user, operator, the tab counters, the entries (with
# who blocked, the visitor and his latest dialog).
BLOCKED_PAGE_QUERIES = 5


def visitor_with_dialog(site, ip=IP, text="You are all idiots"):
    """A visitor whose current visit comes from `ip`, with an open dialog."""
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    visit = Visit.objects.create(visitor=visitor, ip=ip)
    message, _ = posting.post_visitor_message(
        visitor_id=visitor.id, visit_id=visit.id, client_id="c-1", text=text
    )
    return message.dialog


def entry(account, network, **fields):
    return BlockedIP.objects.create(account=account, network=network, **fields)


# --- matching rules -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "network, ip, blocked",
    [
        ("203.0.113.7/32", "203.0.113.7", True),
        ("203.0.113.7/32", "203.0.113.8", False),
        ("203.0.113.7/32", "::ffff:203.0.113.7", True),  # IPv4-mapped IPv6 is the IPv4
        ("203.0.113.0/24", "203.0.113.200", True),
        ("203.0.113.0/24", "203.0.114.1", False),
        ("2001:db8::1/128", "2001:DB8:0:0:0:0:0:1", True),
        ("2001:db8::1/128", "2001:db8::2", False),
        ("2001:db8:abcd::/48", "2001:db8:abcd:12::5", True),
        ("2001:db8:abcd::/48", "2001:db8:abce::1", False),
        ("2001:db8:abcd::/48", "203.0.113.7", False),
        ("203.0.113.0/24", None, False),
        ("203.0.113.0/24", "", False),
        ("203.0.113.0/24", "not-an-ip", False),
    ],
)
def test_is_blocked_matches_addresses_and_ranges(
    make_account, django_assert_num_queries, network, ip, blocked
):
    account = make_account()
    entry(account, network)
    entry(account, "192.0.2.1/32")
    with django_assert_num_queries(1 if ip and ip != "not-an-ip" else 0):
        assert blocking.is_blocked(account.id, ip) is blocked


@pytest.mark.django_db
def test_rows_written_around_the_form_block_what_they_hold_and_hide_nothing(make_account):
    from datetime import timedelta

    from django.utils import timezone

    account = make_account()
    now = timezone.now()
    # A range stored with its host bits (written around the form) is still the /24; a
    # newer row that is no address at all (read first) blocks nothing and hides nothing.
    entry(account, "203.0.113.9/24", created_at=now - timedelta(minutes=1))
    entry(account, "garbage", created_at=now)
    assert blocking.is_blocked(account.id, "203.0.113.200")
    assert blocking.is_blocked_by(blocking._entries(account.id), "203.0.113.200")
    assert not blocking.is_blocked(account.id, OTHER_IP)
    assert blocking.shown_network("203.0.113.9/24") == "203.0.113.0/24"
    assert blocking.shown_network("203.0.113.9/32") == "203.0.113.9"
    assert blocking.shown_network("garbage") == "garbage"


@pytest.mark.django_db
def test_an_address_blocked_by_another_account_is_not_blocked_here(make_account):
    mine, theirs = make_account(), make_account()
    entry(theirs, f"{IP}/32")
    assert blocking.is_blocked(theirs.id, IP)
    assert not blocking.is_blocked(mine.id, IP)


@pytest.mark.parametrize(
    "text, stored",
    [
        (" 203.0.113.7 ", "203.0.113.7/32"),
        ("203.0.113.9/24", "203.0.113.0/24"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:db8::1", "2001:db8::1/128"),
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
        ("::ffff:203.0.113.9/120", "203.0.113.0/24"),  # an IPv4-mapped range
    ],
)
def test_networks_are_stored_normalised(text, stored):
    assert blocking.normalise_network(text) == stored


@pytest.mark.parametrize(
    "text",
    ["", "garbage", "203.0.113.300", "2001:db8::/129", "0.0.0.0/0", "::ffff:0.0.0.0/96", None, 42],
)
def test_garbage_and_the_whole_internet_are_refused(text):
    with pytest.raises(ValidationError) as refused:
        blocking.normalise_network(text)
    if text in ("0.0.0.0/0", "::ffff:0.0.0.0/96"):  # every IPv4 address
        assert refused.value.code == "too_wide"
        assert refused.value.messages == [
            "This range holds every address: it would block all visitors."
        ]
    else:
        assert refused.value.code == "invalid"
        assert refused.value.messages == [
            "Enter an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24 "
            "or 2001:db8::/32."
        ]


@pytest.mark.parametrize(
    "ip, bare",
    [
        ("fe80::1%eth0", "fe80::1"),  # a link-local peer's zone id
        ("fe80::1%eth0%x", "fe80::1"),
        (" fe80::1%2 ", "fe80::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_a_zone_id_is_dropped_so_the_entry_is_the_bare_address(ip, bare):
    address = blocking.parse_address(ip)
    assert str(address) == bare
    assert blocking.host_network(address) == f"{bare}/{address.max_prefixlen}"


# --- the block_visitor service --------------------------------------------------------------


@pytest.mark.django_db
def test_block_records_who_and_why_and_ends_the_dialog(site, alice):
    dialog = visitor_with_dialog(site)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    blocked = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="  Insults  ")
    assert (blocked.network, blocked.reason) == (f"{IP}/32", "Insults")
    assert (blocked.blocked_by, blocked.visitor_id) == (alice, dialog.visitor_id)
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    assert not Participant.objects.filter(dialog=dialog, left_at__isnull=True).exists()
    last = Message.objects.filter(dialog=dialog).last()
    assert last.author_kind == Message.Author.SYSTEM
    assert last.text == "Alice ended the dialog and blocked the visitor"
    assert dialog.id not in [d.id for d in selectors.tab_dialogs(alice, "mine")]
    assert blocking.is_blocked(site.account_id, IP)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reason, kept",
    [
        (None, ""),
        ("Spam\x00 links\x00", "Spam links"),
        ("  " + "x" * (blocking.REASON_MAX_LENGTH + 20), "x" * blocking.REASON_MAX_LENGTH),
    ],
)
def test_the_reason_is_kept_clean_and_within_its_length(site, alice, reason, kept):
    dialog = visitor_with_dialog(site)
    blocked = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason=reason)
    assert BlockedIP.objects.get(pk=blocked.pk).reason == kept


@pytest.mark.django_db
def test_a_reason_that_is_not_text_is_refused(site, alice):
    dialog = visitor_with_dialog(site)
    with pytest.raises(ChatError) as refused:
        blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason=["spam"])
    assert (refused.value.code, refused.value.detail) == ("invalid", "The reason must be text.")
    assert not BlockedIP.objects.exists()
    assert Dialog.objects.get(pk=dialog.id).is_open


@pytest.mark.django_db
def test_the_current_visits_ip_is_blocked_as_an_ipv6_host(site, alice):
    dialog = visitor_with_dialog(site, ip="203.0.113.1")
    # He came back later from another address: that is the one to block.
    Visit.objects.create(visitor=dialog.visitor, ip="2001:db8::42")
    blocked = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="")
    assert blocked.network == "2001:db8::42/128"
    assert not blocking.is_blocked(site.account_id, "203.0.113.1")


@pytest.mark.django_db
def test_blocking_twice_or_inside_a_blocked_range_adds_no_entry(site, alice):
    dialog = visitor_with_dialog(site)
    first = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="spam")
    again = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="more spam")
    assert again == first and again.reason == "spam"
    other = visitor_with_dialog(site, ip="198.51.100.20")
    wide = entry(site.account, "198.51.100.0/24", reason="bad network")
    assert blocking.block_visitor(operator=alice, dialog_id=other.id, reason="x") == wide
    assert BlockedIP.objects.count() == 2


@pytest.mark.django_db
def test_a_visitor_without_a_known_ip_cannot_be_blocked(site, alice):
    dialog = visitor_with_dialog(site, ip=None)
    with pytest.raises(ChatError) as refused:
        blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="")
    assert refused.value.code == "no_ip"
    assert refused.value.detail == (
        "Neither the visitor's IP address nor his e-mail address is known: nothing to block."
    )
    assert Dialog.objects.get(pk=dialog.id).is_open
    assert not BlockedIP.objects.exists()


@pytest.mark.django_db
def test_operators_who_may_not_see_the_dialog_cannot_block(site, alice, make_operator, make_site):
    dialog = visitor_with_dialog(site)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    stranger = make_operator()  # another account
    colleague_elsewhere = make_operator(sites=[make_site(account=site.account)])
    colleague_here = make_operator(sites=[site])  # active dialog of Alice, no flag
    for operator in (stranger, colleague_elsewhere, colleague_here):
        with pytest.raises(AccessDenied):
            blocking.block_visitor(operator=operator, dialog_id=dialog.id, reason="")
    assert not BlockedIP.objects.exists()
    assert Dialog.objects.get(pk=dialog.id).status == Dialog.Status.ACTIVE
    # A supervisor who may see colleagues' dialogs may block from one.
    supervisor = make_operator(sites=[site], can_see_others=True)
    blocking.block_visitor(operator=supervisor, dialog_id=dialog.id, reason="")
    assert blocking.is_blocked(site.account_id, IP)


# --- e-mail visitors, the dialog menu, the list and unblock -------------------------------


def email_visitor_with_dialog(site, email=" Olga@Mail.Test "):
    """A visitor who wrote only by e-mail: his one visit has no IP."""
    dialog = visitor_with_dialog(site, ip=None, text="Do you ship to Kazan?")
    Visitor.objects.filter(pk=dialog.visitor_id).update(email=email)
    return Dialog.objects.select_related("visitor").get(pk=dialog.pk)


@pytest.mark.django_db
def test_a_visitor_known_only_by_email_is_blocked_by_his_address(site, alice):
    dialog = email_visitor_with_dialog(site)
    blocked = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason=" Spam ")
    stored = BlockedIP.objects.get()
    assert stored == blocked
    assert (stored.email, stored.network, stored.reason) == ("olga@mail.test", "", "Spam")
    assert (stored.blocked_by, stored.visitor_id) == (alice, dialog.visitor_id)
    assert Dialog.objects.get(pk=dialog.id).status == Dialog.Status.CLOSED
    again = blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="again")
    assert again == blocked and again.reason == "Spam" and BlockedIP.objects.count() == 1
    assert blocking.is_sender_blocked(site.account_id, "OLGA@mail.test")


@pytest.mark.django_db
def test_an_email_sender_is_blocked_by_his_address_or_by_his_blocked_visitor(
    site, make_account, django_assert_num_queries
):
    account = site.account
    olga = Visitor.objects.create(site=site, animal="red-cat", email="Olga@Mail.test")
    ivan = Visitor.objects.create(site=site, animal="grey-owl", email="ivan@mail.test")
    entry(account, f"{IP}/32", visitor=olga)  # Olga was blocked by her IP
    BlockedIP.objects.create(account=account, email="spam@bulk.test")
    with django_assert_num_queries(1):
        assert blocking.is_sender_blocked(account.id, " OLGA@mail.test ")
    assert blocking.is_sender_blocked(account.id, "Spam@Bulk.test ")
    assert blocking.is_sender_blocked(account.id, "", visitor_id=olga.id)
    assert blocking.is_sender_blocked(account.id, "new@mail.test", visitor_id=olga.id)
    assert not blocking.is_sender_blocked(account.id, "ivan@mail.test", visitor_id=ivan.id)
    assert not blocking.is_sender_blocked(account.id, "")
    assert not blocking.is_sender_blocked(account.id, None)
    assert not blocking.is_sender_blocked(account.id, "   ")
    other = make_account()
    assert not blocking.is_sender_blocked(other.id, "spam@bulk.test")
    assert not blocking.is_sender_blocked(other.id, "olga@mail.test", visitor_id=olga.id)


@pytest.mark.django_db
def test_the_dialog_menu_names_the_entry_that_blocks_the_visitor(site, django_assert_num_queries):
    dialog = visitor_with_dialog(site)
    dialog = Dialog.objects.select_related("visitor").get(pk=dialog.pk)
    visit = Visit.objects.get(visitor_id=dialog.visitor_id)
    with django_assert_num_queries(1):
        state = blocking.dialog_block_state(dialog, visit)
    assert (state.entry_id, state.network, state.email, state.is_blocked) == (
        None,
        None,
        "",
        False,
    )
    wide = entry(site.account, "203.0.113.0/24")
    entry(site.account, "garbage")  # a row written around the form blocks nothing
    entry(site.account, "2001:db8::/32")
    others = entry(site.account, OTHER_IP + "/32")
    with django_assert_num_queries(1):
        state = blocking.dialog_block_state(dialog, visit)
    assert (state.entry_id, state.network, state.is_blocked) == (wide.id, "203.0.113.0/24", True)
    wide.delete()
    assert not blocking.dialog_block_state(dialog, visit).is_blocked  # others' entries only
    one = entry(site.account, f"{IP}/32")
    # He also left his e-mail address (not on the list): his IP's entry is the one.
    Visitor.objects.filter(pk=dialog.visitor_id).update(email="Olga@Mail.test")
    dialog.visitor.refresh_from_db()
    BlockedIP.objects.create(account=site.account, email="someone@else.test")
    state = blocking.dialog_block_state(dialog, visit)
    assert (state.entry_id, state.network) == (one.id, IP)  # one address: shown bare
    # His IP is not blocked but his e-mail address is (an entry in any case).
    one.delete()
    others.delete()
    assert not blocking.dialog_block_state(dialog, visit).is_blocked
    by_mail = BlockedIP.objects.create(account=site.account, email="OLGA@mail.test")
    state = blocking.dialog_block_state(dialog, visit)
    assert (state.entry_id, state.network, state.email) == (by_mail.id, "OLGA@mail.test", "")


@pytest.mark.django_db
def test_the_dialog_menu_offers_an_email_visitor_a_block_by_his_address(site):
    dialog = email_visitor_with_dialog(site)
    visit = Visit.objects.get(visitor_id=dialog.visitor_id)
    state = blocking.dialog_block_state(dialog, visit)
    assert (state.entry_id, state.network, state.email) == (None, None, "olga@mail.test")
    assert blocking.dialog_block_state(dialog, None).email == "olga@mail.test"
    BlockedIP.objects.create(account=site.account, email="someone@else.test")
    assert not blocking.dialog_block_state(dialog, visit).is_blocked
    by_mail = BlockedIP.objects.create(account=site.account, email="olga@mail.test")
    state = blocking.dialog_block_state(dialog, visit)
    assert (state.entry_id, state.network, state.is_blocked) == (by_mail.id, "olga@mail.test", True)
    Visit.objects.filter(pk=visit.pk).update(ip=OTHER_IP)  # he opened the chat after all
    visit.refresh_from_db()
    assert blocking.dialog_block_state(dialog, visit).email == ""


@pytest.mark.django_db
def test_the_ip_blocked_is_his_where_he_was_last_active(site, alice):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    dialog = visitor_with_dialog(site, ip="203.0.113.1")
    visitor = dialog.visitor
    Visit.objects.filter(visitor=visitor).update(last_activity_at=now - timedelta(hours=2))
    for ip, hours in [("203.0.113.3", 1), ("203.0.113.4", 1), ("203.0.113.2", 3), (None, 0)]:
        # .4: his latest activity (the newer of two at the same time); .2: his newest visit
        # but an old one; None: a visit without an IP (a unix socket) tells nothing.
        Visit.objects.create(visitor=visitor, ip=ip, last_activity_at=now - timedelta(hours=hours))
    stranger = Visitor.objects.create(site=site, animal="grey-owl")
    Visit.objects.create(visitor=stranger, ip=OTHER_IP, last_activity_at=now)
    menu_dialog = Dialog.objects.select_related("visitor").get(pk=dialog.pk)
    here = entry(site.account, "203.0.113.4/32")
    assert blocking.dialog_block_state(menu_dialog).entry_id == here.id
    here.delete()
    # He left his e-mail address too: with an IP known, Block still takes the IP.
    Visitor.objects.filter(pk=visitor.pk).update(email="olga@mail.test")
    blocked = blocking.block_visitor(operator=alice, dialog_id=dialog.id)  # no reason given
    assert (blocked.network, blocked.email, blocked.reason) == ("203.0.113.4/32", "", "")
    assert not blocking.is_blocked(site.account_id, OTHER_IP)


@pytest.mark.django_db
def test_a_visitor_with_neither_ip_nor_email_is_offered_no_email_block(site):
    dialog = email_visitor_with_dialog(site, email="")
    visit = Visit.objects.get(visitor_id=dialog.visitor_id)
    assert blocking.blocks_by_email(dialog.visitor, visit) == ""
    assert blocking.blocks_by_email(dialog.visitor, None) == ""
    assert blocking.dialog_block_state(dialog, visit).email == ""


@pytest.mark.django_db
def test_the_list_links_each_entry_to_the_visitors_latest_dialog_here(site, alice, make_site):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    first = visitor_with_dialog(site)
    visitor = first.visitor
    Dialog.objects.filter(pk=first.pk).update(created_at=now - timedelta(hours=3))
    older, latest = (
        Dialog.objects.create(
            account=site.account,
            site=site,
            visitor=visitor,
            number=first.number + n,
            status="closed",
            created_at=now - timedelta(hours=1),
        )
        for n in (1, 2)
    )
    elsewhere = make_site(account=site.account)  # not Alice's site: she may not open it
    Dialog.objects.create(
        account=site.account,
        site=elsewhere,
        visitor=visitor,
        number=first.number + 3,
        status="closed",
    )
    backdated = Dialog.objects.create(  # the newest row, of a dialog started earlier
        account=site.account,
        site=site,
        visitor=visitor,
        number=first.number + 4,
        status="closed",
        created_at=now - timedelta(hours=4),
    )
    by_ip = entry(site.account, f"{IP}/32", visitor=visitor, created_at=now)
    by_mail = BlockedIP.objects.create(account=site.account, email="o@mail.test", created_at=now)
    garbage = entry(site.account, "garbage", created_at=now - timedelta(hours=2))
    listed = [(e.id, e.shown_network, e.dialog_id) for e in blocking.blocked_list(alice)]
    assert listed == [
        (by_mail.id, "o@mail.test", None),
        (by_ip.id, IP, latest.id),
        (garbage.id, "garbage", None),
    ]
    assert latest.id not in (older.id, backdated.id)


@pytest.mark.django_db
def test_unblock_refuses_a_missing_entry_and_another_accounts(site, alice, make_account):
    theirs = entry(make_account(), f"{IP}/32")
    with pytest.raises(NotFound) as missing:
        blocking.unblock(operator=alice, blocked_id=theirs.id + 100)
    assert (missing.value.code, missing.value.detail) == ("not_found", "No such blocked address.")
    with pytest.raises(AccessDenied) as denied:
        blocking.unblock(operator=alice, blocked_id=theirs.id)
    assert denied.value.detail == "This blocked address belongs to another account."
    assert BlockedIP.objects.filter(pk=theirs.id).exists()


# --- console pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_block_from_the_dialog_menu_then_unblock_from_it(alice_client, site):
    widget_url = reverse("widget", args=[site.widget_key])
    dialog = visitor_with_dialog(site)
    page = alice_client.get(reverse("console:dialog", args=[dialog.id])).content.decode()
    assert 'id="block-visitor"' in page and 'id="unblock-visitor"' not in page
    assert f'action="{reverse("console:block", args=[dialog.id])}"' in page

    response = alice_client.post(reverse("console:block", args=[dialog.id]), {"reason": "Spam"})
    assert response.status_code == 302
    assert response.url == reverse("console:dialog", args=[dialog.id])
    page = alice_client.get(response.url).content.decode()
    assert 'id="unblock-visitor"' in page and 'id="block-visitor"' not in page
    assert "ended the dialog and blocked the visitor" in page
    assert alice_client.get(widget_url, REMOTE_ADDR=IP).status_code == 403

    blocked = BlockedIP.objects.get()
    response = alice_client.post(
        reverse("console:unblock", args=[blocked.id]),
        {"next": reverse("console:dialog", args=[dialog.id])},
    )
    assert response.url == reverse("console:dialog", args=[dialog.id])
    assert not BlockedIP.objects.exists()
    page = alice_client.get(response.url).content.decode()
    assert 'id="block-visitor"' in page
    assert alice_client.get(widget_url, REMOTE_ADDR=IP).status_code == 200


@pytest.mark.django_db
def test_block_needs_post(alice_client, site):
    dialog = visitor_with_dialog(site)
    assert alice_client.get(reverse("console:block", args=[dialog.id])).status_code == 405
    assert not BlockedIP.objects.exists()


@pytest.mark.django_db
def test_other_accounts_and_operators_without_access_get_403(
    client, site, make_operator, make_site
):
    dialog = visitor_with_dialog(site)
    stranger = make_operator(sites=[make_site()])  # operator of another account
    colleague_elsewhere = make_operator(sites=[make_site(account=site.account)])
    for operator in (stranger, colleague_elsewhere):
        client.force_login(operator.user)
        assert client.post(reverse("console:block", args=[dialog.id])).status_code == 403
    assert not BlockedIP.objects.exists()
    theirs = entry(site.account, f"{IP}/32")
    client.force_login(stranger.user)
    assert client.post(reverse("console:unblock", args=[theirs.id])).status_code == 403
    assert BlockedIP.objects.filter(pk=theirs.id).exists()
    assert client.post(reverse("console:unblock", args=[theirs.id + 100])).status_code == 404
    assert client.post(reverse("console:block", args=[dialog.id + 100])).status_code == 404


@pytest.mark.django_db
def test_blocked_list_shows_who_why_and_the_visitor(alice_client, alice, site, make_account):
    dialog = visitor_with_dialog(site)
    blocking.block_visitor(operator=alice, dialog_id=dialog.id, reason="Insults <b>")
    entry(site.account, "2001:db8::/32", reason="Bot network")
    entry(make_account(), "192.0.2.0/24", reason="Someone else's")
    page = alice_client.get(reverse("console:blocked")).content.decode()
    assert IP in page and f"{IP}/32" not in page  # one address is shown as the address
    assert "2001:db8::/32" in page and "Bot network" in page
    assert "Insults &lt;b&gt;" in page and "Alice" in page
    assert f'href="{reverse("console:dialog", args=[dialog.id])}"' in page
    assert "192.0.2.0/24" not in page and "Someone else" not in page
    assert reverse("console:blocked") in alice_client.get(reverse("console:mine")).content.decode()


@pytest.mark.django_db
def test_unblock_from_the_list(alice_client, site):
    blocked = entry(site.account, f"{IP}/32")
    response = alice_client.post(reverse("console:unblock", args=[blocked.id]))
    assert response.url == reverse("console:blocked")
    page = alice_client.get(response.url).content.decode()
    assert 'id="blocked-empty"' in page and "unblocked" in page


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 30])
def test_blocked_list_query_count_is_fixed(
    alice_client, alice, site, make_operator, django_assert_num_queries, size
):
    bob = make_operator(sites=[site], display_name="")  # named by his user: needs the user
    visitors = Visitor.objects.bulk_create(
        Visitor(site=site, animal="blue-fox", name=f"V{i}") for i in range(size)
    )
    Dialog.objects.bulk_create(
        Dialog(account=site.account, site=site, visitor=v, number=i + 1, status="closed")
        for i, v in enumerate(visitors)
    )
    BlockedIP.objects.bulk_create(
        BlockedIP(
            account=site.account,
            network=f"203.0.113.{i}/32",
            visitor=visitor,
            blocked_by=bob if i % 2 else alice,
        )
        for i, visitor in enumerate(visitors)
    )
    with django_assert_num_queries(BLOCKED_PAGE_QUERIES):
        response = alice_client.get(reverse("console:blocked"))
    assert response.status_code == 200
    assert response.content.decode().count('class="blocked-row"') == size


# --- widget page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_widget_page_answers_403_to_a_blocked_ip_only(client, site):
    entry(site.account, "203.0.113.0/24")
    url = reverse("widget", args=[site.widget_key])
    blocked = client.get(url, REMOTE_ADDR=IP)
    assert blocked.status_code == 403
    assert "The chat is not available." in blocked.content.decode()
    assert "widget.js" not in blocked.content.decode()
    assert client.get(url, REMOTE_ADDR=OTHER_IP).status_code == 200


# --- admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_rejects_garbage_and_normalises_ranges(admin_client, make_account):
    account = make_account()
    url = reverse("admin:chat_blockedip_add")
    refused = admin_client.post(url, {"account": account.id, "network": "300.1.2.3"})
    assert refused.status_code == 200
    assert "Enter an IPv4 or IPv6 address" in refused.content.decode()
    for text, stored in [("2001:DB8::/32", "2001:db8::/32"), ("203.0.113.9/24", "203.0.113.0/24")]:
        response = admin_client.post(url, {"account": account.id, "network": text})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert BlockedIP.objects.filter(account=account, network=stored).exists()
    assert blocking.is_blocked(account.id, "2001:db8:1::1")
    assert blocking.is_blocked(account.id, "203.0.113.250")
    # The same range written differently is a duplicate.
    duplicate = admin_client.post(url, {"account": account.id, "network": "203.0.113.0/24"})
    assert duplicate.status_code == 200
    assert BlockedIP.objects.filter(account=account).count() == 2


@pytest.mark.django_db
def test_admin_list_search_and_delete_unblocks(admin_client, make_account):
    account = make_account(name="Shop Ltd")
    blocked = entry(account, "203.0.113.0/24", reason="Scrapers")
    entry(account, "2001:db8::/32", reason="Bots")
    page = admin_client.get(reverse("admin:chat_blockedip_changelist"), {"q": "scrapers"})
    assert page.context["cl"].result_count == 1
    assert "203.0.113.0/24" in page.content.decode()
    admin_client.post(reverse("admin:chat_blockedip_delete", args=[blocked.id]), {"post": "yes"})
    assert not blocking.is_blocked(account.id, IP)


# --- sockets --------------------------------------------------------------------------------


async def visitor_from(sockets, site, ip, token=None):
    """A widget communicator whose peer address is `ip` (not connected yet)."""
    path = f"/ws/visitor/{site.widget_key}/" + (f"?token={token}" if token else "")
    communicator = sockets.communicator(path)
    communicator.scope["client"] = (ip, 43210)
    return communicator


async def frame_of(communicator, kind, limit=10):
    """The next frame of this type, skipping others (presence, rows...)."""
    for _ in range(limit):
        frame = await communicator.receive_json_from(timeout=2)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def close_code(communicator, limit=10):
    """Frames until the socket closes; returns (close code, the frames before it)."""
    seen = []
    for _ in range(limit):
        output = await communicator.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            return output.get("code"), seen
        seen.append(json.loads(output["text"]))
    raise AssertionError(f"the socket did not close; got {seen}")


@pytest.mark.django_db(transaction=True)
async def test_block_closes_the_visitors_socket_at_once_and_refuses_him_after(
    sockets, site, alice, make_site
):
    widget = await visitor_from(sockets, site, IP)
    assert await widget.connect() == (True, None)
    hello = await widget.receive_json_from(timeout=5)
    await widget.send_json_to({"type": "message", "client_id": "c-1", "text": "idiots"})
    ack = await frame_of(widget, "ack")
    bystander = await visitor_from(sockets, site, OTHER_IP)
    assert (await bystander.connect())[0]
    await bystander.receive_json_from(timeout=5)

    await database_sync_to_async(blocking.block_visitor)(
        operator=alice, dialog_id=ack["dialog"], reason="Insults"
    )
    code, seen = await close_code(widget)
    assert code == 4403
    # He was told the dialog ended, and nothing about who ended it or why: the console's
    # line ("Alice ended the dialog and blocked the visitor") is not his.
    assert any(f["type"] == "dialog" and f["dialog"]["status"] == "closed" for f in seen)
    assert not [
        f for f in seen if f["type"] == "message" and f["message"]["author"]["kind"] == "system"
    ]
    assert "Alice" not in json.dumps(seen) and "block" not in json.dumps(seen).lower()
    await sockets.silent(bystander)

    for token in (hello["visitor"]["token"], None):  # his token or a fresh identity
        again = await visitor_from(sockets, site, IP, token=token)
        assert await again.connect() == (True, None)
        assert await again.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    mapped = await visitor_from(sockets, site, f"::ffff:{IP}")
    assert await mapped.connect() == (True, None)
    assert await mapped.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}

    # Another address, and the same address on another company's site, still chat.
    other = await visitor_from(sockets, site, OTHER_IP)
    assert (await other.connect())[0]
    assert (await other.receive_json_from(timeout=5))["type"] == "hello"
    elsewhere = await visitor_from(sockets, await database_sync_to_async(make_site)(), IP)
    assert (await elsewhere.connect())[0]
    assert (await elsewhere.receive_json_from(timeout=5))["type"] == "hello"


@pytest.mark.django_db(transaction=True)
async def test_a_blocked_range_refuses_ipv6_and_unblock_lets_the_address_in(sockets, site, alice):
    blocked = await database_sync_to_async(entry)(site.account, "2001:db8:abcd::/48")
    refused = await visitor_from(sockets, site, "2001:db8:abcd::99")
    await refused.connect()
    assert await refused.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await database_sync_to_async(blocking.unblock)(operator=alice, blocked_id=blocked.id)
    welcome = await visitor_from(sockets, site, "2001:db8:abcd::99")
    assert (await welcome.connect())[0]
    assert (await welcome.receive_json_from(timeout=5))["type"] == "hello"


@pytest.mark.django_db(transaction=True)
async def test_the_console_row_leaves_mine_when_the_visitor_is_blocked(sockets, site, alice):
    widget = await visitor_from(sockets, site, IP)
    await widget.connect()
    await widget.receive_json_from()
    console, _ = await sockets.operator(alice)
    await widget.send_json_to({"type": "message", "client_id": "c-1", "text": "hi"})
    ack = await frame_of(widget, "ack")
    assert (await frame_of(console, "row"))["tab"] == "mine"
    await database_sync_to_async(blocking.block_visitor)(
        operator=alice, dialog_id=ack["dialog"], reason=""
    )
    for _ in range(2):  # one row event for the system message, one for the closed dialog
        row = await frame_of(console, "row")
    assert row["dialog"] == ack["dialog"] and row["tab"] is None
