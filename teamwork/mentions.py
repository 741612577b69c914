"""@mentions in a note: "@boris" names a colleague of the dialog's site by his login or
his display name (spaces left out, or its first word when only one colleague has it),
whatever the case. Pure functions over rows already loaded."""

import re

# A letter or digit after "@", then letters, digits, ".", "_" or "-" (Cyrillic too); an
# e-mail address ("a@b.c") is no mention: the "@" must not follow a letter or digit.
MENTION = re.compile(r"(?<![\w.])@([\w][\w.-]*)")


def _keys(operator) -> set[str]:
    name = operator.display_name.strip().casefold()
    return {
        operator.user.get_username().casefold(),
        name.replace(" ", ""),
    } - {""}


def keys_of(operator) -> set[str]:
    """Every word that mentions this operator (his login, his name, its first word)."""
    words = operator.display_name.strip().casefold().split()
    return _keys(operator) | set(words[:1])


def tokens(text: str) -> list[str]:
    return [token.rstrip(".-").casefold() for token in MENTION.findall(text)]


def mentioned(text: str, colleagues) -> list:
    """The colleagues the text mentions, in the order of the colleagues given."""
    wanted = set(tokens(text))
    if not wanted:
        return []
    found = {op.id for op in colleagues if _keys(op) & wanted}
    by_first_word = {}
    for op in colleagues:
        words = op.display_name.strip().casefold().split()
        if words:
            by_first_word.setdefault(words[0], []).append(op)
    for token in wanted:
        ops = by_first_word.get(token, [])
        if len(ops) == 1:
            found.add(ops[0].id)
    return [op for op in colleagues if op.id in found]
