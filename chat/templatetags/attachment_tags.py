from django import template

from chat import attachments

register = template.Library()


@register.simple_tag
def attachment_limits() -> dict:
    """{% attachment_limits as limits %}: max_bytes, max_size (e.g. "10.0 MB") and accept."""
    return attachments.client_limits()
