"""The avatar menu's "Notifications on this device" item: rendered only when VAPID keys are
configured; the console template reaches push only through this tag (chat never imports
push)."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from push import services

register = template.Library()


@register.simple_tag(takes_context=True)
def push_menu_item(context):
    if not services.enabled():
        return ""
    return render_to_string(
        "push/_menu_item.html",
        {"public_key": settings.WEBPUSH_VAPID_PUBLIC_KEY},
        request=context.get("request"),
    )
