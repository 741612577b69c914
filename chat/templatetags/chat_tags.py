from django import template

from chat.messaging import payloads

register = template.Library()


@register.filter
def avatar(visitor) -> str:
    """{{ visitor|avatar }}: his first letter once named, else his animal's icon."""
    return payloads.avatar_html(visitor)


@register.filter
def dialog_row(dialog) -> str:
    """{{ dialog|dialog_row }}: the tab list's row, the same markup live events carry."""
    return payloads.dialog_row_html(dialog)
