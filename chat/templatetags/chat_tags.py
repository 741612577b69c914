from django import template

from chat import payloads

register = template.Library()


@register.filter
def avatar(visitor) -> str:
    """{{ visitor|avatar }}: his first letter once named, else his animal's icon."""
    return payloads.avatar_html(visitor)
