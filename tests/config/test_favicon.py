"""Browsers ask every site for /favicon.ico, and the demo shop page has no icon link of its
own: a 404 there showed up as a console error in the widget's browser test (CI, once)."""

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_product_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/chat/icons/icon-192.png")


def test_the_demo_page_names_its_icon(client):
    html = client.get("/demo/").content.decode()
    icon = (
        '<link rel="icon" type="image/png" sizes="192x192" href="/static/chat/icons/icon-192.png">'
    )
    assert icon in html
