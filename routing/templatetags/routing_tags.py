"""The queue in chat's widget page without chat importing routing:

{% load routing_tags %}
{% widget_queue %}   the widget's queue script and its place (no query: it comes in hello)
"""

from django import template

register = template.Library()


@register.inclusion_tag("routing/queue_widget.html")
def widget_queue():
    return {}
