"""The console's Dialog history page. Thin: the filter and the page come from
chat.console.filters and chat.console.history."""

from django.shortcuts import render

from chat.console import history, history_columns, history_rows, selectors
from chat.console.filters import HistoryFilter
from chat.views.decorators import operator_required


@operator_required
def history_list(request):
    filterset = HistoryFilter(request.GET, operator=request.operator)
    columns = history_columns.columns()
    page = None
    if filterset.is_valid():
        page = history.history_page(filterset.qs, request.GET.get("page"))
    return render(
        request,
        "chat/history.html",
        {
            "operator": request.operator,
            "tab": "history",
            # The tab bar's counters (console.js keeps them live).
            "members": selectors.tab_members(request.operator),
            "filter": filterset,
            "page": page,
            "rows": history_rows.rows_html(page.object_list, columns) if page else "",
            "columns": columns,
            "active_filters": sum(
                1
                for name in ("site", "operator", "status", "q", *(c.name for c in columns))
                if request.GET.get(name)
            ),
        },
    )
