"""Two-factor sign-in: turning it on and off, recovery codes, the second step of sign-in.

For other apps (the REST API's token page): `verified(request)` is True when this
session may do what needs a full sign-in: the user has no two-factor sign-in and his
account does not require it, or the session passed the second factor. Call it before
creating anything that outlives the session (a personal access token):

    from twofactor.services import verified
    if not verified(request):
        return redirect("twofactor:verify")  # or refuse with 403
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chat.messaging import ratelimit
from twofactor import state
from twofactor.models import AccountSecurity

RECOVERY_CODES = 10
DEVICE_NAME = "default"


class CodeRefused(Exception):
    """A wrong, used or expired code; or too many tries (then `retry_after` seconds)."""

    def __init__(self, message: str, retry_after: int = 0):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def verified(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return state.passed(request.session, user)


def is_on(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user) -> bool:
    return AccountSecurity.objects.filter(
        account__operators__user=user, require_two_factor=True
    ).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up: the same secret until it is confirmed,
    so reloading the page does not invalidate a code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _take_attempt(user) -> None:
    bucket = ratelimit.Bucket(
        "twofactor",
        str(user.pk),
        settings.TWOFACTOR_MAX_ATTEMPTS,
        settings.TWOFACTOR_ATTEMPT_WINDOW_SECONDS,
    )
    try:
        ratelimit.take(bucket)
    except ratelimit.RateLimited as error:
        minutes = max(1, -(-error.retry_after // 60))
        raise CodeRefused(
            _("Too many codes tried. Try again in %(minutes)s min.") % {"minutes": minutes},
            retry_after=error.retry_after,
        ) from error


def _clean(code: str) -> str:
    return "".join(str(code).split()).replace("-", "").lower()


def _all_devices(user):
    return devices_for_user(user, confirmed=True, for_verify=True)


def _matching_device(user, code: str, *, devices=_all_devices):
    """The device among devices(user) that accepts the code (a recovery code is used up),
    or CodeRefused. The devices are read locked, in the transaction that checks the code."""
    _take_attempt(user)
    code = _clean(code)
    with transaction.atomic():
        for device in devices(user):
            if device.verify_token(code):
                return device
    raise CodeRefused(_("That code is not right. Check the time on your phone and try again."))


def confirm_setup(request, code: str) -> list[str]:
    """The code from the authenticator app turns two-factor sign-in on for this user and
    marks this session as verified; returns the new recovery codes (shown once)."""
    user = request.user
    device = pending_device(user)
    _matching_device(user, code, devices=lambda _user: [device])
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    _changed(request, device)
    return codes


def regenerate_codes(request) -> list[str]:
    """New recovery codes; the old ones stop working."""
    with transaction.atomic():
        return _new_recovery_codes(request.user)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def turn_off(request, code: str) -> None:
    """A current code (or a recovery code) turns two-factor sign-in off, unless the
    account requires it."""
    user = request.user
    if is_required(user):
        raise CodeRefused(_("Your account requires two-factor sign-in: it cannot be turned off."))
    _matching_device(user, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    _changed(request, None)


def pass_second_step(request, code: str) -> None:
    """The second step of sign-in: an authenticator code or a recovery code (once each)."""
    device = _matching_device(request.user, code)
    otp_login(request, device)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def account_policy_changed(account) -> None:
    """Signed-in operators of the account meet the new policy on their next request."""
    state.changed(*account.operators.values_list("user_id", flat=True))


def _changed(request, device) -> None:
    """Other sessions of the user work their answer out again; this one is verified with
    the device just used (or owes nothing more, after turning off)."""
    state.changed(request.user.pk)
    state.remember(request.session, request.user)
    if device is not None:
        otp_login(request, device)
