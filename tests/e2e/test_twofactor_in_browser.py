"""Two-factor sign-in in a real Chromium: an operator turns it on from the console's menu
(the QR code and key, a code from the app, the recovery codes), logs out, and signs in
again with the password and then a code. In English on a desktop and in Russian on a
390 px phone; no CSP report. Screenshots: test-artifacts/e2e/twofactor-*.png."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from helpers import DESKTOP, PHONE, shop_with
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "menu": "Two-factor sign-in",
        "on": "Two-factor sign-in is on.",
        "second": "Enter the 6-digit code",
        "wrong": "That code is not right",
        "logout": "Log out",
    },
    "ru": {
        "menu": "Двухфакторный вход",
        "on": "Двухфакторный вход включён.",
        "second": "Введите 6-значный код",
        "wrong": "Код неверный",
        "logout": "Выйти",
    },
}


def app_code(username, *, later=False) -> str:
    """The code the operator's authenticator app shows (later: the next 30-second step)."""
    device = TOTPDevice.objects.filter(user__username=username).order_by("-id").first()
    if later:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return str(totp(device.bin_key, step=device.step, digits=device.digits)).zfill(6)


def serious_axe_findings(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def watch_csp(page):
    problems = []
    page.on(
        "console",
        lambda m: (
            (m.type == "error" or "Content Security Policy" in m.text)
            and "WebSocket" not in m.text
            and "Failed to load resource" not in m.text  # the wrong code's answer is a 400
            and problems.append(m.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.parametrize(
    ("language", "viewport", "size"), [("en", DESKTOP, "desktop"), ("ru", PHONE, "phone")]
)
def test_turn_on_then_sign_in_with_a_code(
    asgi_server, browser, screenshots, password, log_in, language, viewport, size
):
    words = WORDS[language]
    shop_with(password, "2FA shop", "2FA shop", f"tf-{size}", language=language)
    page = browser.new_context(viewport=viewport, locale=language).new_page()
    problems = watch_csp(page)
    log_in(page, asgi_server, "vera")

    page.click(".me summary")
    page.click("#twofactor-link")
    expect(page.locator(".tf-qr svg")).to_be_visible()
    expect(page.locator("#tf-secret")).to_be_visible()
    page.screenshot(path=screenshots / f"twofactor-setup-{language}-{size}.png", full_page=True)
    assert serious_axe_findings(page) == []

    page.fill("#id_code", "000000" if app_code("vera") != "000000" else "111111")
    page.click("#tf-confirm")
    expect(page.locator(".form-error")).to_contain_text(words["wrong"])
    page.fill("#id_code", app_code("vera"))
    page.click("#tf-confirm")
    expect(page.locator("#tf-state")).to_contain_text(words["on"])
    expect(page.locator(".tf-code-list li")).to_have_count(10)
    with page.expect_download() as download:
        page.click("#tf-download")
    assert len(download.value.path().read_text().split()) >= 10
    page.screenshot(path=screenshots / f"twofactor-codes-{language}-{size}.png", full_page=True)
    assert serious_axe_findings(page) == []

    page.click(f"button:has-text('{words['logout']}')")
    page.fill("#id_username", "vera")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator(".login-card")).to_contain_text(words["second"])
    page.screenshot(path=screenshots / f"twofactor-second-step-{language}-{size}.png")
    assert serious_axe_findings(page) == []
    page.fill("#id_code", app_code("vera", later=True))
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{asgi_server}/console/")
    expect(page.locator("#conn-status")).to_be_hidden()  # the console socket is open
    assert problems == []
    page.context.close()
