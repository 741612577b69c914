"""{% webhooks_menu_item operator %} the operator menu's link to the Webhooks page
(operators who manage site settings only)."""

from django import template

register = template.Library()


@register.inclusion_tag("webhooks/_menu_item.html")
def webhooks_menu_item(operator):
    return {"operator": operator}
