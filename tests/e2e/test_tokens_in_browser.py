"""Access tokens in a real Chromium, in English and Russian, on a desktop and a phone: the
operator menu leads to the page, a token is created and shown once, it works on the API,
it is revoked; and the API's docs page runs under the console's CSP with no violation."""

import json
import urllib.request

import pytest
from helpers import DESKTOP, PHONE, open_console, shop_with
from playwright.sync_api import expect
from test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "menu": "Access tokens",
        "create": "Create token",
        "revoke": "Revoke",
        "gone": "revoked",
    },
    "ru": {
        "menu": "Токены доступа",
        "create": "Создать токен",
        "revoke": "Отозвать",
        "gone": "отозван",
    },
}


def api_status(base_url: str, secret: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    "language,viewport",
    [("en", DESKTOP), ("ru", PHONE), ("en", PHONE), ("ru", DESKTOP)],
    ids=["en-desktop", "ru-phone", "en-phone", "ru-desktop"],
)
def test_create_use_and_revoke_a_token(
    asgi_server, browser, password, log_in, screenshots, language, viewport
):
    shop_with(password, "E2E tokens", "Token shop", "e2e-tokens", [("tara", "Tara")],
              language=language)  # fmt: skip
    name = f"tokens-{language}-{'phone' if viewport is PHONE else 'desktop'}"
    words = WORDS[language]
    page = open_console(browser, asgi_server, log_in, "tara", viewport=viewport)
    page.click("details.me > summary")
    page.get_by_role("link", name=words["menu"]).click()
    expect(page.locator("h1")).to_have_text(words["menu"])
    page.screenshot(path=screenshots / f"{name}-1-empty.png", full_page=True)

    page.fill("#token-name", "Phone app")
    page.get_by_role("button", name=words["create"]).click()
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("lcpat_")
    assert blocking_violations(page) == []  # axe: no serious or critical finding
    page.screenshot(path=screenshots / f"{name}-2-created.png", full_page=True)
    assert api_status(asgi_server, secret) == 200

    page.goto(f"{asgi_server}/console/tokens/")
    expect(page.locator("#token-secret")).to_have_count(0)  # shown once
    expect(page.locator(".token-item")).to_have_count(1)
    page.locator(".token-item").get_by_role("button", name=words["revoke"]).click()
    expect(page.locator(".token-state")).to_contain_text(words["gone"])
    page.screenshot(path=screenshots / f"{name}-3-revoked.png", full_page=True)
    assert api_status(asgi_server, secret) == 401
    # Nothing runs off the 390 px screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    page.context.close()


def test_the_api_docs_page_runs_under_the_csp(asgi_server, browser, screenshots):
    context = browser.new_context(viewport=DESKTOP)
    violations = []
    context.expose_binding("cspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(
        'document.addEventListener("securitypolicyviolation", e => '
        'window.cspViolation(e.violatedDirective + " " + (e.blockedURI || "inline")));'
    )
    page = context.new_page()
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(f"{asgi_server}/api/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Live chat operator API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=screenshots / "api-docs-desktop.png")
    assert violations == []
    context.close()
