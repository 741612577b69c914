"""Decorators shared by the console views."""

import zoneinfo
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from chat.console import selectors, timezones
from chat.errors import AccessDenied, NotFound
from chat.views.language import answering_in, says_language


def operator_required(view):
    """Logged in and an operator; the operator is request.operator, his language and time
    zone active (his profile's, else the browser's: chat/console/timezones.py)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.operator = selectors.operator_for_user(request.user)
        if request.operator is None:
            raise PermissionDenied("This login is not an operator.")
        # The language chosen in his profile wins over the browser's (LocaleMiddleware).
        language = request.operator.language
        zone = timezones.zone_for(request.operator, request.COOKIES.get(timezones.COOKIE))
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            with answering_in(request, language):
                response = view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.detail) from error
        except AccessDenied as error:
            raise PermissionDenied(error.detail) from error
        finally:
            timezone.deactivate()  # the thread serves other requests next
        return says_language(response, language)

    return wrapper
