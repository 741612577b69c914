"""The admin in Russian: model fields carry translated labels; the new settings of a site
and an operator's time zone are in their own fieldsets."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_language():
    """Views activate the operator's language in this thread: later tests must not hear it."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def russian_admin(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    client.cookies["django_language"] = "ru"
    return client


def test_the_site_form_groups_the_alert_settings(russian_admin):
    page = russian_admin.get("/admin/chat/site/add/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Оповещения о новых диалогах" in page
    for field in ("alert_repeat_seconds", "offer_after_seconds", "typing_preview"):
        assert f'name="{field}"' in page
    assert 'for="id_account">Учётная запись:<' in page  # "Account" before


def test_the_operator_form_offers_the_time_zones(russian_admin):
    page = russian_admin.get(
        "/admin/operators/operator/add/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Язык и время" in page
    assert '<option value="Asia/Vladivostok">' in page
    assert "Часовой пояс браузера" in page
    assert "Пользователь" in page  # the user field: "user" untranslated before
