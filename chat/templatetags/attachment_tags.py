from django import template

from chat import attachments

register = template.Library()


@register.simple_tag
def attachment_limits() -> dict:
    """{% attachment_limits as limits %}: max_bytes, max_size (e.g. "10 MB") and accept."""
    return attachments.client_limits()


@register.filter
def file_size(size) -> str:
    """{{ attachment.size|file_size }}: "24 KB" / "24 КБ" (attachments.human_size)."""
    try:
        return attachments.human_size(int(size))
    except (TypeError, ValueError):
        return ""
