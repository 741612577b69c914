from django import template

from chat import animals

register = template.Library()


@register.filter
def avatar_letter(visitor) -> str:
    return visitor.name[:1].upper() if visitor.name else ""


@register.filter
def animal_icon(visitor) -> str:
    return animals.icon(visitor.animal)
