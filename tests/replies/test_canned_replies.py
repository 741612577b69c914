"""Canned replies: what the composer gets in the dialog page, the Replies page (scoped to
the operator's account, CSRF-protected), the use counter, the admin and the demo data."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from chat.models import Dialog, Participant, Visitor
from replies import selectors, services
from replies.models import CannedReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(make_site):
    return make_site(name="Shop")


def reply(account, shortcut, text="Text", **fields):
    return CannedReply.objects.create(
        account=account, shortcut=shortcut, title=fields.pop("title", shortcut), text=text, **fields
    )


def open_dialog(site, operator, *, name="Mary", number=42):
    visitor = Visitor.objects.create(site=site, animal="blue-fox", name=name)
    dialog = Dialog.objects.create(
        account=site.account, site=site, visitor=visitor, number=number, status="active"
    )
    Participant.objects.create(dialog=dialog, operator=operator)
    return dialog


def composer_data(html):
    found = re.search(
        r'<script id="canned-replies" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "no canned replies block in the page"
    return json.loads(found.group(1))


# --- the dialog page ------------------------------------------------------------------------


def test_dialog_page_offers_the_accounts_replies_for_this_site(
    alice_client, alice, site, make_site
):
    other_site = make_site(account=site.account, name="Blog")
    stranger_site = make_site(name="Foreign")
    reply(site.account, "hello", "Hello, {visitor_name}!")
    reply(site.account, "shop-only", site=site)
    reply(site.account, "blog-only", site=other_site)
    reply(stranger_site.account, "foreign")
    dialog = open_dialog(site, alice)

    html = alice_client.get(reverse("console:dialog", args=[dialog.id])).content.decode()

    data = composer_data(html)
    assert sorted(r["shortcut"] for r in data["replies"]) == ["hello", "shop-only"]
    assert data["values"] == {
        "visitor_name": "Mary",
        "operator_name": "Alice",
        "site_name": "Shop",
        "dialog_number": "42",
    }


def test_reply_text_cannot_break_out_of_the_json_block(alice_client, alice, site):
    reply(site.account, "evil", "</script><script>alert(1)</script>")
    dialog = open_dialog(site, alice)
    html = alice_client.get(reverse("console:dialog", args=[dialog.id])).content.decode()
    assert "<script>alert(1)" not in html
    assert composer_data(html)["replies"][0]["text"] == "</script><script>alert(1)</script>"


def test_dialog_page_runs_no_inline_script(alice_client, alice, site):
    """A Content-Security-Policy without 'unsafe-inline' must not break the page."""
    reply(site.account, "hello")
    dialog = open_dialog(site, alice)
    html = alice_client.get(reverse("console:dialog", args=[dialog.id])).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "replies/composer-replies.js" in html


def test_replies_query_is_one_whatever_their_number(
    alice, site, django_assert_num_queries, make_site
):
    dialog = open_dialog(site, alice)
    for count in (2, 40):
        CannedReply.objects.all().delete()
        for i in range(count):
            reply(site.account, f"r{i}", site=site if i % 2 else None)
        with django_assert_num_queries(1):
            assert len(selectors.for_dialog(dialog)) == count


def test_reader_of_the_dialog_gets_no_replies(alice_client, alice, site, make_operator):
    """Only the composer needs them: a colleague reading the dialog costs no query."""
    reply(site.account, "hello")
    dialog = open_dialog(site, make_operator(sites=[site]))
    html = alice_client.get(reverse("console:dialog", args=[dialog.id])).content.decode()
    assert 'id="canned-replies"' not in html


# --- the Replies page -----------------------------------------------------------------------


def test_replies_page_lists_only_my_accounts_replies(alice_client, site, make_site):
    reply(site.account, "mine", "My text")
    reply(make_site().account, "theirs", "Their text")
    html = alice_client.get(reverse("replies:list")).content.decode()
    assert "/mine" in html and "My text" in html
    assert "/theirs" not in html and "Their text" not in html


def test_replies_page_needs_a_login(client):
    response = client.get(reverse("replies:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_operator_adds_a_reply(alice_client, site):
    response = alice_client.post(
        reverse("replies:add"),
        {"shortcut": "/Hello", "title": "Greeting", "text": "Hi {visitor_name}", "site": site.id,
         "position": 3},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("replies:list")
    saved = CannedReply.objects.get()
    assert (saved.account, saved.shortcut, saved.site, saved.position) == (
        site.account, "Hello", site, 3,
    )  # fmt: skip
    assert "/Hello" in alice_client.get(response.url).content.decode()


def test_russian_shortcut_is_accepted(alice_client, site):
    alice_client.post(
        reverse("replies:add"), {"shortcut": "привет", "title": "Привет", "text": "Здравствуйте!"}
    )
    assert CannedReply.objects.get().shortcut == "привет"


def test_shortcut_is_unique_in_the_account_whatever_the_case(alice_client, site, make_site):
    reply(site.account, "hello")
    reply(make_site().account, "thanks")  # another account's shortcut is free for us
    taken = alice_client.post(
        reverse("replies:add"), {"shortcut": "HELLO", "title": "x", "text": "y"}
    )
    assert taken.status_code == 200
    assert "Another reply already has this shortcut." in taken.content.decode()
    free = alice_client.post(
        reverse("replies:add"), {"shortcut": "thanks", "title": "x", "text": "y"}
    )
    assert free.status_code == 302
    assert CannedReply.objects.filter(account=site.account).count() == 2


def test_site_of_another_account_is_refused(alice_client, make_site):
    foreign = make_site()
    response = alice_client.post(
        reverse("replies:add"), {"shortcut": "x", "title": "x", "text": "y", "site": foreign.id}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["site"]
    assert not CannedReply.objects.exists()


def test_bad_shortcut_is_a_form_error(alice_client):
    response = alice_client.post(
        reverse("replies:add"), {"shortcut": "two words", "title": "x", "text": "y"}
    )
    assert response.status_code == 200 and response.context["form"].errors["shortcut"]
    assert not CannedReply.objects.exists()


def test_operator_edits_and_deletes_his_accounts_reply(alice_client, site):
    own = reply(site.account, "hello", "Old")
    response = alice_client.post(
        reverse("replies:edit", args=[own.id]), {"shortcut": "hello", "title": "t", "text": "New"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.text == "New"
    assert alice_client.post(reverse("replies:delete", args=[own.id])).status_code == 302
    assert not CannedReply.objects.exists()


def test_another_accounts_reply_cannot_be_seen_changed_or_deleted(alice_client, make_site):
    foreign = reply(make_site().account, "theirs", "Secret")
    assert alice_client.get(reverse("replies:edit", args=[foreign.id])).status_code == 404
    changed = alice_client.post(
        reverse("replies:edit", args=[foreign.id]), {"shortcut": "x", "title": "x", "text": "Mine"}
    )
    assert changed.status_code == 404
    assert alice_client.post(reverse("replies:delete", args=[foreign.id])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.text == "Secret"


def test_forms_need_the_csrf_token(alice, site):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    own = reply(site.account, "hello")
    assert (
        browser.post(
            reverse("replies:add"), {"shortcut": "x", "title": "x", "text": "y"}
        ).status_code
        == 403
    )
    assert browser.post(reverse("replies:delete", args=[own.id])).status_code == 403
    assert browser.post(reverse("replies:used", args=[own.id])).status_code == 403
    assert list(CannedReply.objects.values_list("shortcut", "usage_count")) == [("hello", 0)]


def test_delete_needs_post(alice_client, site):
    own = reply(site.account, "hello")
    assert alice_client.get(reverse("replies:delete", args=[own.id])).status_code == 405
    assert CannedReply.objects.exists()


def test_replies_page_speaks_russian(client, make_operator, site):
    operator = make_operator(sites=[site], language="ru")
    client.force_login(operator.user)
    reply(site.account, "hello")
    html = client.get(reverse("replies:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Шаблоны ответов" in html and "Добавить ответ" in html and "использован 0 раз" in html


# --- the use counter ------------------------------------------------------------------------


def test_inserting_a_reply_counts_it(alice_client, site):
    own = reply(site.account, "hello")
    assert alice_client.post(reverse("replies:used", args=[own.id])).status_code == 204
    assert alice_client.post(reverse("replies:used", args=[own.id])).status_code == 204
    own.refresh_from_db()
    assert own.usage_count == 2


def test_another_accounts_reply_is_not_counted(alice_client, make_site):
    foreign = reply(make_site().account, "theirs")
    assert alice_client.post(reverse("replies:used", args=[foreign.id])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.usage_count == 0


def test_most_used_reply_comes_first_within_a_position(alice, site):
    reply(site.account, "a")
    popular = reply(site.account, "b")
    CannedReply.objects.filter(pk=popular.pk).update(usage_count=5)
    dialog = open_dialog(site, alice)
    assert [r["shortcut"] for r in selectors.for_dialog(dialog)] == ["b", "a"]


# --- admin ----------------------------------------------------------------------------------


def test_staff_operator_manages_only_his_accounts_replies_in_admin(
    client, make_operator, site, make_site, admin_user
):
    staff = make_operator(sites=[site])
    staff.user.is_staff = True
    staff.user.save()
    from django.contrib.auth.models import Permission

    staff.user.user_permissions.set(Permission.objects.filter(codename__endswith="cannedreply"))
    reply(site.account, "ours")
    foreign = reply(make_site().account, "theirs")

    client.force_login(staff.user)
    listing = client.get("/admin/replies/cannedreply/").content.decode()
    assert "/ours" in listing and "/theirs" not in listing
    assert client.get(f"/admin/replies/cannedreply/{foreign.id}/change/").status_code == 302

    client.force_login(admin_user)
    listing = client.get("/admin/replies/cannedreply/").content.decode()
    assert "/ours" in listing and "/theirs" in listing


# --- demo data ------------------------------------------------------------------------------


def test_demo_replies_in_both_languages(transactional_db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo_replies", stdout=out)
    call_command("seed_demo_replies", stdout=out)  # again: no duplicates
    shortcuts = set(CannedReply.objects.values_list("shortcut", flat=True))
    assert {"hello", "delivery", "привет", "доставка"} <= shortcuts
    assert CannedReply.objects.count() == len(shortcuts) == 10
    assert CannedReply.objects.get(shortcut="delivery").site.widget_key == "demo-shop-key"


def test_each_change_of_a_reply_is_one_query(site, django_assert_num_queries):
    fields = {"shortcut": "hi", "title": "Hi", "text": "Hello", "site": None, "position": 0}
    with django_assert_num_queries(1):
        created = services.create_reply(account=site.account, **fields)
    CannedReply.objects.filter(pk=created.pk).update(usage_count=3)  # used meanwhile
    with django_assert_num_queries(1):
        services.update_reply(reply=created, **{**fields, "text": "Hello again", "site": site})
    stored = CannedReply.objects.get(pk=created.pk)
    assert (stored.text, stored.site, stored.usage_count) == ("Hello again", site, 3)
    assert stored.updated_at > stored.created_at
    with django_assert_num_queries(1):
        services.delete_reply(reply=stored)
    assert not CannedReply.objects.exists()
