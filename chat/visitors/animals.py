"""Anonymous visitor nicknames: a colour and an animal, with the animal as icon.

The key ("blue-fox") is stored on the visitor; the words are translated when shown.
Once every pair is taken among an account's open dialogs (chat/visitors/nicknames.py), a number
follows the pair: "blue-fox-2" is "Blue Fox 2".
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


PAIRS = [f"{colour}-{animal}" for colour in COLOURS for animal in ANIMALS]


def pairs_for(seed: str) -> list[str]:
    """Every colour-animal pair, in an order of its own for each seed (a visitor's token):
    visitors who cannot keep their pair do not all get the same next one."""
    return sorted(PAIRS, key=lambda pair: hashlib.sha256(f"{seed}:{pair}".encode()).digest())


def free_key(current: str, seed: str, taken) -> str:
    """A key not in `taken`: the current one if it is free, else the first free pair in
    the seed's order, else the current pair with the smallest free number from 2 on."""
    if current not in taken:
        return current
    free = next((pair for pair in pairs_for(seed) if pair not in taken), None)
    if free is not None:
        return free
    base = pair_of(current)
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def pair_of(key: str) -> str:
    """The colour-animal pair of a key, without its number."""
    pair, _sep, number = key.rpartition("-")
    return pair if number.isdigit() and pair else key


def _split(key: str):
    pair = pair_of(key)
    number = key[len(pair) + 1 :]
    colour, _sep, animal = pair.partition("-")
    return COLOURS.get(colour), ANIMALS.get(animal, _UNKNOWN), number


def nickname(key: str) -> str:
    """The nickname in the active language: "Blue Fox" / "Синий лис" / "Синяя сова", with
    its number when it has one ("Blue Fox 2")."""
    forms, (animal, _icon, gender), number = _split(key)
    if forms is None:
        return capfirst(str(animal))
    colour = forms[0] if gender == MASCULINE else forms[1]
    # Translators: an anonymous visitor's nickname, e.g. "Blue Fox" / "Синий лис".
    name = capfirst(
        pgettext("nickname", "%(colour)s %(animal)s")
        % {
            "colour": colour,
            "animal": animal,
        }
    )
    return f"{name} {number}" if number else name


def icon(key: str) -> str:
    return _split(key)[1][1]
