"""What a signed-in session still owes: nothing, the second factor, or setting it up.

The answer is worked out when the password is accepted (Django's user_logged_in) and kept
in the session, so a request of an operator without two-factor sign-in costs no query.
A change that moves the answer (a device turned on or off, the account's policy) stamps
the user in the cache; a session checked before the stamp works the answer out again.

    NONE    no device and no policy: signs in exactly as without this app
    VERIFY  a confirmed device: passed once django-otp's device id is in the session
    SETUP   the account requires two-factor sign-in and the user has no device yet
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from twofactor.models import AccountSecurity

NONE, VERIFY, SETUP = "none", "verify", "setup"
NEEDS_KEY = "twofactor_needs"
CHECKED_KEY = "twofactor_checked_at"


def _stamp_key(user_id) -> str:
    return f"twofactor:changed:{user_id}"


def needs_of(user) -> str:
    """Worked out from the database (two queries at most)."""
    if any(True for _device in devices_for_user(user, confirmed=True)):
        return VERIFY
    if AccountSecurity.objects.filter(
        account__operators__user=user, require_two_factor=True
    ).exists():
        return SETUP
    return NONE


def remember(session, user) -> str:
    needs = needs_of(user)
    session[NEEDS_KEY] = needs
    session[CHECKED_KEY] = time.time()
    return needs


def changed(*user_ids) -> None:
    """Every session of these users works its answer out again on its next request."""
    now = time.time()
    cache.set_many({_stamp_key(uid): now for uid in user_ids}, settings.SESSION_COOKIE_AGE)


def needs(session, user) -> str:
    """The session's answer; `user` (possibly lazy) is read only when it must be recomputed."""
    stored = session.get(NEEDS_KEY)
    stamp = cache.get(_stamp_key(session.get(SESSION_KEY)))
    if stored is None or (stamp is not None and stamp > session.get(CHECKED_KEY, 0)):
        return remember(session, user)
    return stored


def passed(session, user) -> bool:
    answer = needs(session, user)
    return answer == NONE or (answer == VERIFY and DEVICE_ID_SESSION_KEY in session)


def on_password_login(sender, request, user, **kwargs):
    """Every password sign-in owes the second factor again, even in a session that had it."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(DEVICE_ID_SESSION_KEY, None)
    remember(session, user)
