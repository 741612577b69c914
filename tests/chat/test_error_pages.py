"""Console error pages and Leave dialog (issue 13, item 2).

An operator who meets an error in the console sees it inside the console (tab bar, his
menu), in his language, with a way back; the widget and the endpoints scripts fetch keep
Django's own answers. Leaving a dialog goes back to the list with a notice."""

import pytest
from django.test import Client
from django.urls import path, reverse

from chat.dialogs import lifecycle
from chat.models import Dialog, Participant, Visitor
from config import urls as project_urls

pytestmark = pytest.mark.django_db

# What a browser sends when a person opens a page, and what fetch() sends.
NAVIGATION = {"Sec-Fetch-Mode": "navigate", "Accept": "text/html,application/xhtml+xml"}
FETCH = {"Sec-Fetch-Mode": "cors", "Accept": "*/*"}


def client_of(operator, **options):
    client = Client(**options)
    client.force_login(operator.user)
    return client


def new_dialog(site, number=1, status=Dialog.Status.NEW):
    visitor = Visitor.objects.create(site=site, animal="blue-fox", token=f"t-{number}")
    return Dialog.objects.create(
        account=site.account, site=site, visitor=visitor, number=number, status=status
    )


def templates_of(response):
    return [t.name for t in response.templates]


def text_of(response):
    return response.content.decode()


# --- Leave dialog ---------------------------------------------------------------------------


def test_leaving_a_shared_dialog_goes_back_to_the_list_with_a_notice(site, alice, make_operator):
    """Alice may not see colleagues' dialogs: once she leaves Bob with the visitor, the
    dialog is no longer hers to open. She lands on her list, told what happened."""
    bob = make_operator(username="bob", sites=[site], can_see_others=True, can_join_others=True)
    dialog = new_dialog(site, number=7)
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    lifecycle.connect_operator(operator=bob, dialog_id=dialog.id)
    client = client_of(alice)

    response = client.post(reverse("console:leave", args=[dialog.id]), headers=NAVIGATION)

    assert response.status_code == 302
    assert response.url == reverse("console:mine")
    page = client.get(response.url, headers=NAVIGATION)
    assert page.status_code == 200
    html = text_of(page)
    assert 'id="message-toasts"' in html
    assert 'role="status"' in html and "data-autohide" in html
    assert "You left dialog #7." in html
    # Shown once: the next page has no notice left.
    assert "You left dialog #7." not in text_of(client.get(response.url))
    assert not Participant.objects.filter(operator=alice, left_at__isnull=True).exists()


def test_the_leave_notice_is_in_the_operators_language(site, make_operator):
    olga = make_operator(username="olga", sites=[site], language="ru")
    dialog = new_dialog(site, number=12)
    lifecycle.connect_operator(operator=olga, dialog_id=dialog.id)
    client = client_of(olga)
    page = client.post(reverse("console:leave", args=[dialog.id]), follow=True)
    assert page.redirect_chain == [(reverse("console:mine"), 302)]
    assert "Вы покинули диалог #12." in text_of(page)


def test_leaving_a_dialog_one_is_not_in_stays_on_it_with_an_error(site, alice):
    dialog = new_dialog(site)
    response = client_of(alice).post(reverse("console:leave", args=[dialog.id]), follow=True)
    assert response.redirect_chain == [(reverse("console:dialog", args=[dialog.id]), 302)]
    html = text_of(response)
    assert "You are not in this dialog." in html
    assert 'class="toast toast-error" role="alert"' in html  # stays until dismissed
    assert "data-autohide" not in html


# --- error pages ----------------------------------------------------------------------------


def test_a_colleagues_dialog_is_a_403_inside_the_console_with_a_way_back(
    site, alice, make_operator
):
    bob = make_operator(username="bob", sites=[site])
    dialog = new_dialog(site, status=Dialog.Status.ACTIVE)
    Participant.objects.create(dialog=dialog, operator=bob)

    response = client_of(alice).get(reverse("console:dialog", args=[dialog.id]), headers=NAVIGATION)

    assert response.status_code == 403
    assert "chat/errors/error.html" in templates_of(response)
    assert "chat/console.html" in templates_of(response)  # the tab bar and the menu
    html = text_of(response)
    assert 'class="tabs"' in html and 'id="blocked-link"' in html
    assert "No access" in html
    assert f'id="error-back" href="{reverse("console:mine")}"' in html


def test_a_missing_dialog_is_a_404_in_the_operators_language(site, make_operator):
    olga = make_operator(username="olga", sites=[site], language="ru")
    response = client_of(olga).get(reverse("console:dialog", args=[999999]), headers=NAVIGATION)
    assert response.status_code == 404
    assert response.headers["Content-Language"] == "ru"
    html = text_of(response)
    assert "Страница не найдена" in html
    assert "Вернуться к переписке" in html
    assert '<html lang="ru">' in html


def test_an_unknown_console_address_is_a_404_page_in_the_browsers_language(alice):
    client = client_of(alice, headers={"accept-language": "ru"})
    response = client.get("/console/no-such-page/", headers=NAVIGATION)
    assert response.status_code == 404
    assert "chat/console.html" in templates_of(response)
    assert "Страница не найдена" in text_of(response)


def test_an_old_browser_without_fetch_metadata_gets_the_page_too(site, alice):
    response = client_of(alice).get(
        reverse("console:dialog", args=[999999]), headers={"Accept": "text/html"}
    )
    assert response.status_code == 404
    assert "chat/errors/error.html" in templates_of(response)


def test_a_login_that_is_not_an_operator_gets_a_403_with_a_log_out_button(make_user):
    client = Client()
    client.force_login(make_user())
    response = client.get(reverse("console:mine"), headers=NAVIGATION)
    assert response.status_code == 403
    assert "chat/errors/bare.html" in templates_of(response)
    html = text_of(response)
    assert "Log out and log in as an operator." in html
    assert f'action="{reverse("logout")}"' in html


def test_a_form_from_an_outdated_console_page_explains_itself(site, alice):
    """The CSRF token changes on each log-in: a form from a tab open since before is
    refused, and the page says to reload, not "CSRF verification failed"."""
    dialog = new_dialog(site)
    client = client_of(alice, enforce_csrf_checks=True)
    response = client.post(reverse("console:leave", args=[dialog.id]), headers=NAVIGATION)
    assert response.status_code == 403
    html = text_of(response)
    assert "The page is out of date" in html
    assert "CSRF" not in html
    assert "chat/console.html" in templates_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/widget/no-such-key/",  # the widget frame
        "/attachments/not-a-token/",  # a visitor's download link
        "/no-such-page/",
    ],
)
def test_pages_outside_the_console_keep_djangos_answer(alice, url):
    response = client_of(alice).get(url, headers=NAVIGATION)
    assert response.status_code in (403, 404)
    assert "chat/errors/error.html" not in templates_of(response)
    assert 'class="tabs"' not in text_of(response)


def test_a_fetch_from_a_console_script_keeps_a_short_answer(alice):
    """console-more.js and the JSON endpoints read the status, not a whole page."""
    response = client_of(alice).get(
        reverse("console:tab_rows", args=["others"]) + "?after=1", headers=FETCH
    )
    assert response.status_code == 403  # Others needs can_see_others
    assert "chat/errors/error.html" not in templates_of(response)
    assert len(response.content) < 500


def boom(request):
    raise RuntimeError("the database went away")


urlpatterns = [path("console/boom/", boom), path("demo/boom/", boom), *project_urls.urlpatterns]
handler500 = project_urls.handler500


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_500_page_in_the_console_frame_without_the_database(
    alice, django_assert_num_queries
):
    client = Client(raise_request_exception=False, headers={"accept-language": "ru"})
    with django_assert_num_queries(0):
        response = client.get("/console/boom/", headers=NAVIGATION)
    assert response.status_code == 500
    assert "chat/errors/bare.html" in templates_of(response)
    html = text_of(response)
    assert "Что-то пошло не так" in html
    assert 'id="error-back"' in html


@pytest.mark.urls(__name__)
def test_a_server_error_outside_the_console_keeps_djangos_answer(db):
    client = Client(raise_request_exception=False)
    response = client.get("/demo/boom/", headers=NAVIGATION)
    assert response.status_code == 500
    assert "chat/errors/error.html" not in templates_of(response)


def test_the_error_view_is_wired_for_the_project():
    assert project_urls.handler403 == "chat.views.errors.forbidden"
    assert project_urls.handler404 == "chat.views.errors.not_found"
    assert project_urls.handler500 == "chat.views.errors.server_error"
