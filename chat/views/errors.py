"""Error pages (config/urls.py handler403/404/500, settings.CSRF_FAILURE_VIEW).

A person who opens a console page and meets an error sees it inside the console, in his
language, with a way back. Everything else (the widget, JSON and fragment endpoints the
console's scripts fetch, the admin) keeps Django's own answer: a script reading a fetch
must not get a whole console page.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views import csrf, defaults

from chat.console import selectors


def is_console_page(request) -> bool:
    """A browser navigating to a page under /console/ (not a fetch of a fragment or JSON).
    Sec-Fetch-Mode says so in every current browser; an older one sends Accept text/html
    for a navigation only."""
    if not request.path.startswith(reverse("console:mine")):
        return False
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode:
        return mode == "navigate"
    return "text/html" in request.headers.get("Accept", "")


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)  # none if a middleware before auth failed
    return user is not None and user.is_authenticated


def _operator_of(request):
    operator = getattr(request, "operator", None)  # set by operator_required
    if operator is None and _signed_in(request):
        operator = selectors.operator_for_user(request.user)
    return operator


def render_error(request, status: int, *, reason: str = "", with_operator: bool = True):
    """The console's error page. With the operator known, inside the full console (tab
    bar, menu, live counts) in his profile's language; otherwise in a bare frame. A 500
    never reads the database (with_operator=False): it may be what failed."""
    operator = _operator_of(request) if with_operator else None
    context = {"status": status, "reason": reason, "operator": operator}
    if operator is not None:
        context.update(layout="chat/console.html", members=selectors.tab_members(operator))
    else:
        # A login that is not an operator's may log out and in as one.
        show_logout = with_operator and _signed_in(request)
        context.update(layout="chat/errors/bare.html", show_logout=show_logout)
    language = (operator.language if operator else "") or translation.get_language()
    with translation.override(language):
        response = render(request, "chat/errors/error.html", context, status=status)
    if operator is not None and operator.language:
        response.headers["Content-Language"] = operator.language
    return response


def forbidden(request, exception=None):
    if is_console_page(request):
        return render_error(request, 403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception=None):
    if is_console_page(request):
        return render_error(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_console_page(request):
        return render_error(request, 500, with_operator=False)
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """A form sent from a console page that was open across a log-in (the token changed)
    or whose session ran out: the 403 page says to reload, not "CSRF verification"."""
    if is_console_page(request):
        return render_error(request, 403, reason="csrf")
    return csrf.csrf_failure(request, reason)
