"""Sends a signed-in session that still owes something (state.py) to the page that settles
it: the second step of sign-in, or the set-up page when the account requires two-factor
sign-in. Everything else a signed-in user reaches waits (deny by default); visitors' pages
and static files are never held. Installed after django-otp's OTPMiddleware."""

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, SESSION_KEY
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from twofactor import state

# Pages without a signed-in user behind them (visitors, probes, the browser's own asks).
PUBLIC_PREFIXES = (
    "/widget/",
    "/demo/",
    "/attachments/",
    "/healthz",
    "/favicon.ico",
    "/manifest.webmanifest",
    "/crm/demo-receiver/",
)


def _open_paths(needs: str) -> tuple[str, ...]:
    names = ["login", "logout", "admin:login", "admin:logout", "twofactor:verify"]
    if needs == state.SETUP:
        names.append("twofactor:security")
    return (
        *(reverse(name) for name in names),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
        *PUBLIC_PREFIXES,
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or session.get(SESSION_KEY) is None:
            return self.get_response(request)
        needs = state.needs(session, request.user)
        if needs == state.NONE or state.passed(session, request.user):
            return self.get_response(request)
        if request.path.startswith(_open_paths(needs)):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseForbidden(_("Finish signing in first."))
        target = "twofactor:verify" if needs == state.VERIFY else "twofactor:security"
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(f"{reverse(target)}?{query}")
