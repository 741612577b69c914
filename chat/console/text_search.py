"""The History page's text search: is the text somewhere in a column, whatever its case.

A substring match, not word search: a shopper's "заказ 10234-7" is found by "10234", an
email by its domain, and a word in Russian or English by any part of it that the operator
types ("достав" finds "доставка", "доставку"). The operator's text is matched literally:
`%`, `_` and `\\` in it are ordinary characters, never a pattern or a regex.

Both sides are compared in capitals with Ё read as Е, as Russian writers often type
"е" for "ё": "ёлка", "Елка" and "ЕЛКА" all find "Ёлка".

- PostgreSQL: `REPLACE(UPPER(column), 'Ё', 'Е') LIKE '%' || <the same of the text> || '%'`,
  the expression of the trigram (pg_trgm) indexes of migration chat 0011, so the match reads
  the index. The text is folded by PostgreSQL itself (its UPPER, not Python's), so both
  sides are always folded alike.
- SQLite: LIKE folds ASCII letters only, so Python's regex (Django's REGEXP function) does
  it, with [её] in place of either letter. No index: the embedded default is for small
  sites.
"""

import re

from django.db import connection
from django.db.models import Q, TextField, Value
from django.db.models.functions import Replace, Upper
from django.db.models.lookups import Contains


def folded(expression):
    """The expression the trigram indexes are built on (keep the two the same)."""
    return Replace(Upper(expression), Value("Ё"), Value("Е"), output_field=TextField())


def _regex(text: str) -> str:
    return "".join("[её]" if char in "еёЕЁ" else re.escape(char) for char in text)


def contains(field: str, text: str) -> Q:
    """Rows whose `field` contains the text, case and Ё/Е aside."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__iregex": _regex(text)})
    # An expression on the right is escaped by Django (%, _ and \ match literally).
    return Q(Contains(folded(field), folded(Value(text))))
