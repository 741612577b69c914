"""Anonymous visitor nicknames: a colour and an animal, with the animal as icon.

The key ("blue-fox") is stored on the visitor; the words are translated when shown.
"""

import hashlib

from django.utils.translation import gettext_lazy as _

COLOURS = {
    "blue": _("Blue"),
    "red": _("Red"),
    "green": _("Green"),
    "golden": _("Golden"),
    "silver": _("Silver"),
    "purple": _("Purple"),
    "orange": _("Orange"),
    "grey": _("Grey"),
}

ANIMALS = {
    "fox": (_("Fox"), "🦊"),
    "bear": (_("Bear"), "🐻"),
    "wolf": (_("Wolf"), "🐺"),
    "owl": (_("Owl"), "🦉"),
    "cat": (_("Cat"), "🐱"),
    "rabbit": (_("Rabbit"), "🐰"),
    "panda": (_("Panda"), "🐼"),
    "tiger": (_("Tiger"), "🐯"),
    "koala": (_("Koala"), "🐨"),
    "penguin": (_("Penguin"), "🐧"),
    "lion": (_("Lion"), "🦁"),
    "frog": (_("Frog"), "🐸"),
}


def animal_for(seed: str) -> str:
    """A stable nickname key for a visitor, derived from his token."""
    digest = hashlib.sha256(seed.encode()).digest()
    colours, animals = list(COLOURS), list(ANIMALS)
    return f"{colours[digest[0] % len(colours)]}-{animals[digest[1] % len(animals)]}"


def _split(key: str):
    colour, _sep, animal = key.partition("-")
    return COLOURS.get(colour, ""), ANIMALS.get(animal, (_("Visitor"), "👤"))


def nickname(key: str) -> str:
    colour, (animal, _icon) = _split(key)
    return f"{colour} {animal}".strip()


def icon(key: str) -> str:
    return _split(key)[1][1]
