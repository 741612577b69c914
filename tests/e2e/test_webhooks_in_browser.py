"""Webhooks in a real Chromium with the real stack (Daphne, a Celery worker): a manager adds
an endpoint pointing at a local receiver, sends a test event that the receiver refuses
(410), reads the log, presses Retry and sees it delivered. In English on a desktop, then
the same page in Russian on a 390 px phone. Screenshots: test-artifacts/e2e/webhooks-*.png."""

import time

import pytest
from helpers import DESKTOP, PHONE, open_console, shop_with
from playwright.sync_api import expect

from chat.outbound import signing
from operators.models import Operator
from tests.webhooks.webhook_receiver import Receiver
from webhooks.models import Endpoint

pytestmark = pytest.mark.browser


@pytest.fixture
def asgi_server_env():
    """The receiver is on 127.0.0.1."""
    return {"WEBHOOKS_ALLOW_PRIVATE_HOSTS": "true"}


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def reload_until(page, selector, text, tries=40):
    """The worker delivers in the background: reload the page until the log shows it."""
    for _ in range(tries):
        if text in (page.locator(selector).first.text_content() or ""):
            return
        time.sleep(0.5)
        page.reload()
    expect(page.locator(selector).first).to_contain_text(text)


def watch_errors(page):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and problems.append(m.text),
    )
    return problems


def test_a_manager_adds_an_endpoint_tests_it_and_retries(
    asgi_server, browser, screenshots, password, log_in, receiver
):
    shop_with(
        password, "Hook shop", "Hook shop", "hook-key", operators=(("vera", "Vera"),),
        language="en", operator_fields={"can_manage_site_settings": True},
    )  # fmt: skip
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP, language="en")
    problems = watch_errors(console)

    console.click(".me summary")
    console.click("#webhooks-link")
    expect(console.locator("#webhooks-title")).to_have_text("Webhooks")
    expect(console.locator("#endpoints-empty")).to_be_visible()
    console.click("#endpoint-add")
    console.fill("#id_url", receiver.url)
    console.fill("#id_description", "Our CRM")
    console.check("input[value='lead.created']")
    console.check("input[value='dialog.ended']")
    console.screenshot(path=screenshots / "webhooks-en-desktop-1-new.png", full_page=True)
    console.click("#endpoint-save")
    expect(console.locator("#endpoint-secret")).to_contain_text("whsec_")
    endpoint = Endpoint.objects.get()

    receiver.replies = [(410, {})]
    console.click("#send-test")
    reload_until(console, "#delivery-log tbody tr", "Failed")
    expect(console.locator("#delivery-log tbody tr").first).to_contain_text("410")
    console.screenshot(path=screenshots / "webhooks-en-desktop-2-failed.png", full_page=True)
    console.locator("#delivery-log tbody tr").first.get_by_role("button").click()
    reload_until(console, "#delivery-log tbody tr", "Delivered")
    console.screenshot(path=screenshots / "webhooks-en-desktop-3-delivered.png", full_page=True)

    assert len(receiver.requests) == 2
    (first, raw), (second, _raw) = receiver.requests
    assert first["webhook-id"] == second["webhook-id"]
    assert signing.verify(first, raw, endpoint.secret, now=time.time())
    assert problems == []

    Operator.objects.filter(user__username="vera").update(language="ru")
    phone = open_console(browser, asgi_server, log_in, "vera", viewport=PHONE, language="ru")
    phone.goto(f"{asgi_server}/console/webhooks/{endpoint.pk}/")
    expect(phone.locator("#send-test")).to_have_text("Отправить тестовое событие")
    expect(phone.locator("#delivery-log tbody tr").first).to_contain_text("Доставлено")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    phone.screenshot(path=screenshots / "webhooks-ru-phone-endpoint.png", full_page=True)
    phone.goto(f"{asgi_server}/console/webhooks/")
    phone.screenshot(path=screenshots / "webhooks-ru-phone-list.png", full_page=True)
