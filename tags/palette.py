"""The fixed colours a tag may have: a name per colour, never free CSS. Each key is a CSS
class (static/tags/tags.css, "tag-c-<key>") whose text and background pass WCAG AA."""

from django.utils.translation import gettext_lazy as _

COLOURS = [
    ("grey", _("Grey")),
    ("red", _("Red")),
    ("orange", _("Orange")),
    ("yellow", _("Yellow")),
    ("green", _("Green")),
    ("teal", _("Teal")),
    ("blue", _("Blue")),
    ("purple", _("Purple")),
    ("pink", _("Pink")),
]
DEFAULT = "blue"
