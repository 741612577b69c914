"""Columns and filters other apps add to the History page, without chat importing them.

An app registers a HistoryColumn in its AppConfig.ready():

    history_columns.register(HistoryColumn(name="rating", ...))

and History then
- adds `filter` (a django-filter Filter, its query parameter `name`) to HistoryFilter
  (the filter set's `operator` is the operator whose page it is);
- passes the page's rows through `prepare_rows(queryset)` before reading them: it may
  select_related or annotate, or add ONE prefetch (the page's query count stays fixed
  whatever its rows; tests/chat pin it);
- shows a column headed `heading` whose cell (one <td>) is `cell_html(dialog)`: safe HTML,
  escaped by the app (django.utils.html), read from what prepare_rows loaded. History's rows
  are rendered in Python (chat/console/history_rows.py); a column without cell_html has
  `cell_template` rendered with `dialog` alone instead, which costs a template render per
  row (docs/performance.md, seventh round).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django_filters import Filter


@dataclass(frozen=True)
class HistoryColumn:
    name: str
    heading: str
    cell_template: str = ""
    prepare_rows: Callable = lambda rows: rows
    filter: Filter | None = None
    cell_html: Callable | None = None


_columns: dict[str, HistoryColumn] = {}


def register(column: HistoryColumn) -> None:
    _columns[column.name] = column


def columns() -> list[HistoryColumn]:
    """The registered columns, in the order of registration (INSTALLED_APPS)."""
    return list(_columns.values())
