"""Business hours in chat's widget page without chat importing engage:

{% load hours_tags %}
{% widget_hours %}   the widget's hours script and its words (no query: the state comes in hello)
"""

from django import template

register = template.Library()


@register.inclusion_tag("engage/hours_widget.html")
def widget_hours():
    return {}
