"""The operator menu's "Two-factor sign-in" link, without chat importing this app:

{% load twofactor_tags %}{% twofactor_menu_item %}
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def twofactor_menu_item():
    return format_html(
        '<a class="menu-item" href="{}" id="twofactor-link">{}</a>',
        reverse("twofactor:security"),
        _("Two-factor sign-in"),
    )
