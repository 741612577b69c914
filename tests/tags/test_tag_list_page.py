"""The Tags page: managers (can_manage_site_settings) create, rename, recolour and delete
their account's tags; everyone else is refused; another account's tags are not found."""

import pytest
from django.test import Client

from tags.models import DialogTag, Tag

pytestmark = pytest.mark.django_db

LIST = "/console/tags/"


def test_a_manager_creates_renames_recolours_and_deletes_a_tag(manager_client, site, dialog):
    response = manager_client.post(f"{LIST}new/", {"name": "  Whole   sale ", "colour": "teal"})
    assert response.status_code == 302
    tag = Tag.objects.get(account=site.account)
    assert (tag.name, tag.colour) == ("Whole sale", "teal")

    manager_client.post(f"{LIST}{tag.id}/", {"name": "Wholesale", "colour": "orange"})
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("Wholesale", "orange")

    DialogTag.objects.create(dialog=dialog, tag=tag)
    page = manager_client.get(LIST).content.decode()
    assert "Wholesale" in page and "on 1 dialog" in page and "tag-c-orange" in page

    confirm = manager_client.get(f"{LIST}{tag.id}/delete/").content.decode()
    assert "1 dialog carries this tag" in confirm
    assert Tag.objects.filter(pk=tag.pk).exists()  # a GET only asks
    manager_client.post(f"{LIST}{tag.id}/delete/")
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert not DialogTag.objects.filter(dialog=dialog).exists()


def test_names_are_unique_per_account_whatever_the_case(manager_client, vip, make_site):
    response = manager_client.post(f"{LIST}new/", {"name": "vip", "colour": "red"})
    assert response.status_code == 200
    assert "Another tag already has this name." in response.content.decode()
    other = make_site()
    Tag.objects.create(account=other.account, name="Delivery")
    assert manager_client.post(f"{LIST}new/", {"name": "Delivery"}).status_code == 200  # no colour
    assert (
        manager_client.post(f"{LIST}new/", {"name": "Delivery", "colour": "blue"}).status_code
        == 302
    )
    assert Tag.objects.filter(name="Delivery").count() == 2  # one in each account


def test_a_colour_outside_the_palette_is_refused(manager_client, site):
    response = manager_client.post(f"{LIST}new/", {"name": "X", "colour": "#ff0000"})
    assert response.status_code == 200 and not Tag.objects.exists()


@pytest.mark.parametrize(
    "method,path",
    [("get", ""), ("get", "new/"), ("post", "new/"), ("get", "{id}/"), ("post", "{id}/delete/")],
)
def test_an_operator_without_the_flag_is_refused(alice_client, vip, method, path):
    url = LIST + path.format(id=vip.id)
    response = getattr(alice_client, method)(url, {"name": "Hacked", "colour": "red"})
    assert response.status_code == 403
    vip.refresh_from_db()
    assert vip.name == "VIP" and Tag.objects.count() == 1


def test_the_menu_links_the_page_for_managers_only(manager_client, alice_client):
    assert 'id="tags-link"' in manager_client.get("/console/").content.decode()
    assert 'id="tags-link"' not in alice_client.get("/console/").content.decode()


def test_another_accounts_tag_is_not_found(make_site, make_operator, vip):
    other_site = make_site()
    outsider = make_operator(sites=[other_site], can_manage_site_settings=True)
    client = Client()
    client.force_login(outsider.user)
    assert "VIP" not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{vip.id}/").status_code == 404
    assert client.post(f"{LIST}{vip.id}/", {"name": "Mine", "colour": "red"}).status_code == 404
    assert client.post(f"{LIST}{vip.id}/delete/").status_code == 404
    vip.refresh_from_db()
    assert vip.name == "VIP"


def test_the_page_costs_the_same_queries_whatever_the_tags(
    manager_client, site, django_assert_num_queries
):
    manager_client.get(LIST)
    for n in range(3):
        Tag.objects.create(account=site.account, name=f"T{n}")
    # session, user, operator, the tab counters, the tags with their dialog counts
    with django_assert_num_queries(5):
        manager_client.get(LIST)
    for n in range(3, 40):
        Tag.objects.create(account=site.account, name=f"T{n}")
    with django_assert_num_queries(5):
        response = manager_client.get(LIST)
    assert len(response.context["tags"]) == 40


def test_the_admin_shows_a_staff_operator_his_accounts_tags_only(make_site, make_operator, vip):
    other = make_site()
    Tag.objects.create(account=other.account, name="Elsewhere")
    staff = make_operator(sites=[other])
    staff.user.is_staff = True
    staff.user.save()
    from django.contrib.auth.models import Permission

    staff.user.user_permissions.add(*Permission.objects.filter(codename__endswith="_tag"))
    client = Client()
    client.force_login(staff.user)
    page = client.get("/admin/tags/tag/").content.decode()
    assert "Elsewhere" in page and "VIP" not in page


def test_the_demo_seed_tags_dialogs_once():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_ratings", verbosity=0)
    call_command("seed_demo_tags", verbosity=0)
    call_command("seed_demo_tags", verbosity=0)
    account_tags = Tag.objects.filter(account__name="Demo company")
    assert sorted(account_tags.values_list("name", flat=True)) == [
        "Complaint",
        "Delivery",
        "VIP",
        "Wholesale",
    ]
    links = DialogTag.objects.filter(tag__account__name="Demo company")
    assert {link.tag.name for link in links} == {"Complaint", "Delivery", "VIP", "Wholesale"}
    waiting = links.get(tag__name="Wholesale").dialog
    assert waiting.status == "new"  # in Mine, with its chips
    assert DialogTag.objects.filter(dialog=waiting).count() == 2
    count = links.count()
    call_command("seed_demo_tags", verbosity=0)
    assert links.count() == count
