"""Numbers and time zones in the operator's locale.

{{ n|grouped }}: a count with the locale's thousand separator ("1,234" / "1 234"), without
turning USE_THOUSAND_SEPARATOR on for every number (ids in attributes and URLs must stay
bare). {% time_zone_options current %}: the profile menu's <select> (chat/console/timezones.py),
built in Python, not with a template loop: every console page has it, some 600 options.
"""

from functools import lru_cache

from django import template
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chat.console import timezones

register = template.Library()


@register.filter
def grouped(value):
    """A whole number grouped by thousands in the active language."""
    try:
        return formats.number_format(int(value), force_grouping=True)
    except (TypeError, ValueError):
        return value


@lru_cache(maxsize=512)
def _options(zones: tuple[str, ...], current: str) -> str:
    """Built once per process for each group and selected zone: some 600 escaped options
    were about a tenth of a console page's CPU (docs/performance.md, "Sixth round")."""
    return "".join(
        f'<option value="{escape(zone)}"{" selected" if zone == current else ""}>'
        f"{escape(zone.replace('_', ' '))}</option>"
        for zone in zones
    )


@register.simple_tag
def time_zone_options(current: str):
    """The options: the browser's zone, the common zones, then all, the current selected."""
    common, rest = timezones.choices()
    browser = _("Browser time zone")
    common_label = pgettext("time zones", "Common")
    selected = "" if current else " selected"
    return mark_safe(  # noqa: S308 - every value is escaped above
        f'<option value=""{selected}>{escape(browser)}</option>'
        f'<optgroup label="{escape(common_label)}">{_options(common, current)}</optgroup>'
        f'<optgroup label="{escape(_("All time zones"))}">{_options(rest, current)}</optgroup>'
    )
