"""System lines: the notes the server writes into a dialog ("Anna joined the dialog").

Each is stored as a kind and its parameters (Message.line, {"kind": "joined", "name":
"Anna"}) beside its text, so that every reader gets it in his own language: the visitor's
widget in the widget's (live and replayed), each console in its operator's, an e-mail
transcript in the visitor's. The stored text (Message.text: the site's language, else the
one active when it was written) is what exports, webhooks and the API carry, and what a
line without a known kind shows.

chat's kinds are below; another app registers its own in its AppConfig.ready()
(register): chat never imports it.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# kind -> a function of the line's parameters giving its text in the active language.
_KINDS: dict[str, Callable[[dict], str]] = {}


def register(kind: str, render: Callable[[dict], str]) -> None:
    """render(params) -> the line's text in the active language; params: the JSON values
    the line was written with (line(kind, **params))."""
    _KINDS[kind] = render


def line(kind: str, **params) -> dict:
    """A line to write (lifecycle's close_locked_dialog, hand_over_locked, or Message.line
    directly): its kind and parameters, JSON values."""
    if kind not in _KINDS:
        raise ValueError(f"unknown system line kind {kind!r}")
    return {"kind": kind, **params}


def text(line_: dict | None, stored: str = "") -> str:
    """The line's text in the active language; `stored` when it has no kind this process
    knows (written before kinds were stored, or by an app no longer installed)."""
    render = _KINDS.get(line_.get("kind")) if isinstance(line_, dict) else None
    if render is None:
        return stored
    try:
        return render(line_)
    except (KeyError, TypeError, ValueError):  # parameters that do not fit: keep the text
        return stored


def text_in(language: str, line_: dict | None, stored: str = "") -> str:
    with translation.override(language):
        return text(line_, stored)


# --- chat's own lines --------------------------------------------------------------------

register("joined", lambda p: _("%(name)s joined the dialog") % {"name": p["name"]})
register("left", lambda p: _("%(name)s left the dialog") % {"name": p["name"]})
register("ended", lambda p: _("%(name)s ended the dialog") % {"name": p["name"]})
register(
    "ended_and_blocked",
    lambda p: _("%(name)s ended the dialog and blocked the visitor") % {"name": p["name"]},
)
register(
    "closed_automatically",
    lambda p: (
        ngettext(
            "The dialog was closed automatically after %(minutes)s minute without messages",
            "The dialog was closed automatically after %(minutes)s minutes without messages",
            p["minutes"],
        )
        % {"minutes": p["minutes"]}
    ),
)
