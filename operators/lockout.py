"""The page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE, config/settings.py):
the same login form, console's or admin's, with the reason and when to try again."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext


def lockout_message() -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)s minute.",
        "Too many failed login attempts. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


class LockedOutForm(AuthenticationForm):
    """The login form as typed, refused with the lockout message and never authenticated
    (another authenticate() call would count as one more attempt)."""

    def clean(self):
        raise ValidationError(lockout_message(), code="locked_out")


def lockout_response(request, original_response=None, credentials=None):
    """Status 429 with the login form and the message. (axes' async middleware passes the
    credentials second, so neither argument is relied on: the form comes from request.POST.)"""
    form = LockedOutForm(request, data=request.POST)
    form.is_valid()
    context = {"form": form, "next": request.POST.get("next", "")}
    if request.path == reverse("admin:login"):
        context.update(
            admin.site.each_context(request),
            title=admin.site.site_title,
            app_path=request.get_full_path(),
        )
        return render(request, "admin/login.html", context, status=429)
    return render(request, "registration/login.html", context, status=429)
