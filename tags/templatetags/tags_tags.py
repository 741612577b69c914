"""Tags in chat's templates without chat importing tags:

{% load tags_tags %}
{% dialog_tags dialog %}      the dialog header's tag control (one query)
{% tags_menu_item operator %} the operator menu's link to the Tags page (managers only)
"""

from django import template

from tags import selectors

register = template.Library()


@register.inclusion_tag("tags/_dialog_tags.html", takes_context=True)
def dialog_tags(context, dialog):
    picker = selectors.picker_tags(dialog.id, dialog.site.account_id)
    return selectors.header_context(dialog, picker, str(context.get("csrf_token", "")))


@register.inclusion_tag("tags/_menu_item.html")
def tags_menu_item(operator):
    return {"operator": operator}
