"""The Site settings registry in templates (engage/site_settings.py), so chat's console
page lists other apps' settings links without knowing them:

{% load site_settings_tags %}
{% site_settings_menu operator %}                the operator menu's settings links
{% site_settings_tabs operator site section %}   a site's settings sub-navigation
"""

from django import template

from engage import site_settings

register = template.Library()


@register.inclusion_tag("engage/_site_settings_menu.html")
def site_settings_menu(operator):
    return {"entries": site_settings.menu_entries(operator)}


@register.inclusion_tag("engage/_site_settings_tabs.html")
def site_settings_tabs(operator, site, current):
    return {"tabs": site_settings.tabs(operator, site, current)}
