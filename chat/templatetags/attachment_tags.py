from django import template

from chat.messaging import uploads

register = template.Library()


@register.simple_tag
def attachment_limits() -> dict:
    """{% attachment_limits as limits %}: max_bytes, max_size (e.g. "10 MB") and accept."""
    return uploads.client_limits()


@register.filter
def file_size(size) -> str:
    """{{ attachment.size|file_size }}: "24 KB" / "24 КБ" (uploads.human_size)."""
    try:
        return uploads.human_size(int(size))
    except (TypeError, ValueError):
        return ""
