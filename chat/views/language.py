"""A view that answers in a language it chooses (the operator's, the site's) instead of
the browser's one LocaleMiddleware activated."""

from contextlib import contextmanager

from django.utils import translation


@contextmanager
def answering_in(request, language: str):
    """`language` active inside (blank: the browser's stays); the thread gets its own back
    afterwards, whatever happens: it runs other requests, sockets' calls and tests next, and
    a language left active there would write another operator's or visitor's text in it."""
    if not language:
        yield
        return
    request.LANGUAGE_CODE = language
    with translation.override(language):
        yield


def says_language(response, language: str):
    """The response's Content-Language (LocaleMiddleware only sets the browser's, and only
    when none is set)."""
    if language:
        response.headers["Content-Language"] = language
    return response
