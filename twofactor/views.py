"""Two-factor pages: the second step of sign-in and the "Two-factor sign-in" page (set up,
recovery codes, turn off). Thin: the rules are in services.py."""

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chat.console import selectors as chat_selectors
from twofactor import qr, services, state
from twofactor.forms import CodeForm

FRESH_CODES_KEY = "twofactor_fresh_codes"


def _next_url(request, default: str) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _refused(form, error: services.CodeRefused, response_status: int = 400):
    form.add_error("code", error.message)
    return 429 if error.retry_after else response_status


@never_cache
@login_required
def verify(request):
    """The second step: an authenticator code or a recovery code."""
    next_url = _next_url(request, "/")
    if state.passed(request.session, request.user):
        return redirect(next_url)
    if state.needs(request.session, request.user) == state.SETUP:
        return _back(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.pass_second_step(request, form.cleaned_data["code"])
        except services.CodeRefused as error:
            status = _refused(form, error)
        else:
            return redirect(next_url)
    return render(request, "twofactor/verify.html", {"form": form, "next": next_url}, status=status)


def _page(request, *, status=200, **context):
    user = request.user
    operator = chat_selectors.operator_for_user(user)
    if services.is_on(user):
        context.update(is_on=True, codes_left=services.recovery_codes_left(user))
    else:
        device = services.pending_device(user)
        context.update(
            is_on=False,
            qr_svg=qr.svg(device.config_url),
            secret=b32encode(device.bin_key).decode(),
        )
    context.update(
        operator=operator,
        required=services.is_required(user),
        next=_next_url(request, ""),
        form=context.get("form") or CodeForm(),
    )
    return render(request, "twofactor/security.html", context, status=status)


@never_cache
@login_required
def security(request):
    """The page; recovery codes just made are shown on its next view only (and can be
    downloaded until the view after)."""
    fresh = request.session.get(FRESH_CODES_KEY)
    if fresh and not fresh["shown"]:
        request.session[FRESH_CODES_KEY] = {**fresh, "shown": True}
        return _page(request, codes=fresh["codes"])
    request.session.pop(FRESH_CODES_KEY, None)
    return _page(request)


def _show_once(request, codes):
    request.session[FRESH_CODES_KEY] = {"codes": codes, "shown": False}


def _with_code(request, action):
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        return action(form.cleaned_data["code"])
    except services.CodeRefused as error:
        status = _refused(form, error)
        return _page(request, form=form, status=status)


@require_POST
@login_required
def confirm(request):
    def turn_on(code):
        _show_once(request, services.confirm_setup(request, code))
        messages.success(request, _("Two-factor sign-in is on."))
        return _back(request)

    return _with_code(request, turn_on)


def _back(request):
    response = redirect("twofactor:security")
    next_url = _next_url(request, "")
    if next_url:
        response["Location"] += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
    return response


@require_POST
@login_required
def regenerate(request):
    if not services.is_on(request.user):
        return redirect("twofactor:security")
    _show_once(request, services.regenerate_codes(request))
    messages.success(request, _("New recovery codes made: the old ones no longer work."))
    return redirect("twofactor:security")


@require_POST
@login_required
def turn_off(request):
    def off(code):
        services.turn_off(request, code)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("twofactor:security")

    return _with_code(request, off)


@never_cache
@login_required
def codes_file(request):
    """The recovery codes just made, as a text file (only while they are on show)."""
    codes = (request.session.get(FRESH_CODES_KEY) or {}).get("codes")
    if not codes:
        return redirect("twofactor:security")
    text = _("Recovery codes for %(user)s. Each works once.") % {"user": request.user}
    response = HttpResponse("\n".join([text, "", *codes, ""]), content_type="text/plain")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response
