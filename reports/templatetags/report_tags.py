from django import template

from reports import formatting

register = template.Library()


@register.filter
def figure(value, kind):
    return formatting.figure_text(value, kind)


@register.simple_tag
def figure_change(item):
    return formatting.change_text(item.current, item.previous, item.kind)
