"""Anonymous visitor nicknames: a colour and an animal, with the animal as icon.

The key ("blue-fox") is stored on the visitor; the words are translated when shown.
In Russian the colour agrees in gender with the animal ("Синий лис", "Синяя сова"),
so each colour is translated twice, by grammatical gender (pgettext contexts
"masculine" / "feminine"), and each animal names the gender its Russian word takes.
"""

import hashlib

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

MASCULINE, FEMININE = "masculine", "feminine"

# Each colour as (masculine, feminine) forms; English has one form for both.
COLOURS = {
    "blue": (pgettext_lazy("masculine", "Blue"), pgettext_lazy("feminine", "Blue")),
    "red": (pgettext_lazy("masculine", "Red"), pgettext_lazy("feminine", "Red")),
    "green": (pgettext_lazy("masculine", "Green"), pgettext_lazy("feminine", "Green")),
    "golden": (pgettext_lazy("masculine", "Golden"), pgettext_lazy("feminine", "Golden")),
    "silver": (pgettext_lazy("masculine", "Silver"), pgettext_lazy("feminine", "Silver")),
    "purple": (pgettext_lazy("masculine", "Purple"), pgettext_lazy("feminine", "Purple")),
    "orange": (pgettext_lazy("masculine", "Orange"), pgettext_lazy("feminine", "Orange")),
    "grey": (pgettext_lazy("masculine", "Grey"), pgettext_lazy("feminine", "Grey")),
}

# Animal: (name, icon, gender of the word in Russian).
ANIMALS = {
    "fox": (pgettext_lazy("animal", "Fox"), "🦊", MASCULINE),
    "bear": (pgettext_lazy("animal", "Bear"), "🐻", MASCULINE),
    "wolf": (pgettext_lazy("animal", "Wolf"), "🐺", MASCULINE),
    "owl": (pgettext_lazy("animal", "Owl"), "🦉", FEMININE),
    "cat": (pgettext_lazy("animal", "Cat"), "🐱", MASCULINE),
    "rabbit": (pgettext_lazy("animal", "Rabbit"), "🐰", MASCULINE),
    "panda": (pgettext_lazy("animal", "Panda"), "🐼", FEMININE),
    "tiger": (pgettext_lazy("animal", "Tiger"), "🐯", MASCULINE),
    "koala": (pgettext_lazy("animal", "Koala"), "🐨", FEMININE),
    "penguin": (pgettext_lazy("animal", "Penguin"), "🐧", MASCULINE),
    "lion": (pgettext_lazy("animal", "Lion"), "🦁", MASCULINE),
    "frog": (pgettext_lazy("animal", "Frog"), "🐸", FEMININE),
}

_UNKNOWN = (_("Visitor"), "👤", MASCULINE)


def animal_for(seed: str) -> str:
    """A stable nickname key for a visitor, derived from his token."""
    digest = hashlib.sha256(seed.encode()).digest()
    colours, animals = list(COLOURS), list(ANIMALS)
    return f"{colours[digest[0] % len(colours)]}-{animals[digest[1] % len(animals)]}"


def _split(key: str):
    colour, _sep, animal = key.partition("-")
    return COLOURS.get(colour), ANIMALS.get(animal, _UNKNOWN)


def nickname(key: str) -> str:
    """The nickname in the active language: "Blue Fox" / "Синий лис" / "Синяя сова"."""
    forms, (animal, _icon, gender) = _split(key)
    if forms is None:
        return capfirst(str(animal))
    colour = forms[0] if gender == MASCULINE else forms[1]
    # Translators: an anonymous visitor's nickname, e.g. "Blue Fox" / "Синий лис".
    return capfirst(
        pgettext("nickname", "%(colour)s %(animal)s")
        % {
            "colour": colour,
            "animal": animal,
        }
    )


def icon(key: str) -> str:
    return _split(key)[1][1]
