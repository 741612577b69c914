"""Two-factor helpers: an operator with two-factor sign-in on, and the codes his
authenticator app would show (computed from the device's key, as the app does)."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "secret-pass-123"  # tests/conftest.py's PASSWORD


def app_code(user, *, later: bool = False) -> str:
    """The code the user's authenticator shows now. `later`: as if the next 30-second step
    had come (a code already used in this step is refused as a replay)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-id").first()
    if later:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def turn_on(user) -> list[str]:
    """Two-factor sign-in on, as the set-up page leaves it; returns the recovery codes."""
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="default", confirmed=True)
    codes = [f"code{i:04d}" for i in range(10)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def sign_in(client: Client, username: str, *, url=None, next_url="/console/"):
    """The password step; returns its response (not followed)."""
    return client.post(
        url or reverse("login"), {"username": username, "password": PASSWORD, "next": next_url}
    )
