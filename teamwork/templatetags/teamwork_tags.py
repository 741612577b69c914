"""Teamwork in chat's console templates without chat importing teamwork:

{% load teamwork_tags %}
{% transfer_menu %}             the dialog menu's "Transfer dialog" item (one query)
{% note_toggle %}               the composer's Note switch and its words (no query)
{% note_only_composer %}        a notes-only composer where the message one is not shown
{% pinned_transfer_note %}      the private note of the transfer that gave me the dialog
                                (from the transcript's notes: no query)
{{ text|with_mentions:note }}   a note's text with its mentions marked, escaped
"""

import re

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from teamwork import mentions, selectors, transfers

register = template.Library()


@register.inclusion_tag("teamwork/_transfer_menu.html", takes_context=True)
def transfer_menu(context):
    view, operator = context["view"], context["operator"]
    show = view.is_participant and view.dialog.is_open
    return {
        "show": show,
        "dialog": view.dialog,
        "csrf_token": context.get("csrf_token"),
        "note_max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
        "candidates": (
            transfers.candidates(
                operator=operator,
                dialog=view.dialog,
                active_operator_ids=[op.id for op in view.operators],
            )
            if show
            else []
        ),
    }


@register.inclusion_tag("teamwork/_note_toggle.html")
def note_toggle():
    return {}


@register.inclusion_tag("teamwork/_note_only_composer.html", takes_context=True)
def note_only_composer(context):
    """Where the message composer is not shown (an ended dialog, a colleague's dialog I
    read): a composer for notes only. Any operator who may see the dialog may add one."""
    view = context["view"]
    return {
        "show": not (view.is_participant and view.dialog.is_open),
        "max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
    }


@register.inclusion_tag("teamwork/_pinned_note.html", takes_context=True)
def pinned_transfer_note(context):
    view, operator = context["view"], context["operator"]
    note = (
        selectors.pinned_transfer_note(operator, view.dialog, view.transcript)
        if view.is_participant
        else None
    )
    return {"note": note}


@register.filter
def with_mentions(text: str, note) -> str:
    """The note's text, escaped, its line breaks kept, each @mention of a colleague it
    stored marked with <mark class="mention">."""
    names = set()
    for op in note.mentions.all():
        names |= mentions.keys_of(op)
    out, last = [], 0
    for match in mentions.MENTION.finditer(text):
        token = match.group(1).rstrip(".-").casefold()
        if token in names:
            out.append(conditional_escape(text[last : match.start()]))
            out.append(format_html('<mark class="mention">{}</mark>', match.group(0)))
            last = match.end()
    out.append(conditional_escape(text[last:]))
    html = "".join(str(part) for part in out)
    return mark_safe(re.sub(r"\r\n|\r|\n", "<br>", html))  # noqa: S308 - escaped above
