"""Filters other apps add to the Reports page (tags' "Tag"), without reports importing
them.

An app registers a DialogFilter in its AppConfig.ready():

    dialog_filters.register(DialogFilter(name="tag", field=..., dialogs=...))

- `field(account_id)` is the form field of the filter (console and admin page alike); its
  choices must be the account's own, so that another account's value is an invalid choice;
- `dialogs(value)` is the ids of the dialogs a chosen value keeps: a queryset of one
  column, used as a subquery (no query of its own).

Every figure of the page and of its CSV tables then counts those dialogs only: dialogs
started and ended, their leads and ratings, the operators' figures of those dialogs
(reports.selectors.load applies the Kept in one place per read). Time online is about
operators, not dialogs: no filter changes it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class DialogFilter:
    name: str
    field: Callable  # (account_id) -> forms.Field, not required
    dialogs: Callable  # (cleaned value) -> queryset of dialog ids (one column)


_filters: dict[str, DialogFilter] = {}


def register(dialog_filter: DialogFilter) -> None:
    _filters[dialog_filter.name] = dialog_filter


def filters() -> list[DialogFilter]:
    return list(_filters.values())


def add_fields(form, account_id) -> None:
    """The registered filters' fields, after the form's own."""
    for dialog_filter in _filters.values():
        form.fields[dialog_filter.name] = dialog_filter.field(account_id)


@dataclass(frozen=True)
class Kept:
    """The dialogs a report counts: every dialog when no filter is chosen."""

    subqueries: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.subqueries)

    def q(self, field: str = "id") -> Q:
        """On a model with the dialog's id in `field`: its rows of kept dialogs."""
        kept = Q()
        for ids in self.subqueries:
            kept &= Q(**{f"{field}__in": ids})
        return kept

    def sql(self, column: str) -> tuple[str, dict]:
        """The same restriction for the page's SQL (reports.tally): " AND column IN (...)"
        per filter, and its named parameters; ("", {}) when none is chosen."""
        parts, params = [], {}
        for n, ids in enumerate(self.subqueries):
            sql, positional = ids.query.sql_with_params()
            pieces = sql.split("%s")
            if len(pieces) != len(positional) + 1:  # never with a plain filter() subquery
                raise ValueError("A report filter's subquery must use plain parameters.")
            named = pieces[0]
            for k, (value, piece) in enumerate(zip(positional, pieces[1:], strict=True)):
                key = f"kept_{n}_{k}"
                params[key] = value
                named += f"%({key})s{piece}"
            parts.append(f" AND {column} IN ({named})")
        return "".join(parts), params


EVERY_DIALOG = Kept()


def kept(cleaned: dict) -> Kept:
    """The dialogs the filter's values keep (cleaned: a valid report form's data)."""
    return Kept(
        tuple(
            dialog_filter.dialogs(cleaned[name])
            for name, dialog_filter in _filters.items()
            if cleaned.get(name)
        )
    )
