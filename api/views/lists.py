"""History and Leads: the console pages' FilterSets (same filters, same defaults: the last
7 days), newest first, a page at a time."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import serializers as s
from api.views.base import OperatorView, int_param, limit_of, operation, page, page_serializer
from api.views.reading import CURSOR, LIMIT, DialogPage, rows_before
from chat.console.filters import HistoryFilter
from chat.models import Dialog
from leads.filters import LeadFilter
from leads.models import Lead

LeadPage = page_serializer(s.LeadSerializer, "LeadPage")

# A date, or empty: both sent empty, no date limit (as the pages' cleared fields).
DAY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "enum": [""]}]}
DATES = [
    OpenApiParameter(
        "date_from",
        DAY,
        description="First day (YYYY-MM-DD); neither date sent: the last 7 days; "
        "both sent empty: no date limit.",
    ),
    OpenApiParameter("date_to", DAY, description="Last day (YYYY-MM-DD), or empty."),
    OpenApiParameter("site", int, description="Only this site of mine."),
]
TAG = OpenApiParameter("tag", int, description="Only dialogs with this tag of my account.")


def filtered(filterset):
    if not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    return filterset.qs


def _page(request, rows, serializer):
    limit = limit_of(request)
    rows = rows_before(rows.order_by("-created_at", "-id"), int_param(request, "cursor", minimum=1))
    return Response(
        page(
            request,
            list(rows[: limit + 1]),
            limit=limit,
            serializer=serializer,
            cursor_of=lambda row: row.id,
        )
    )


class HistoryView(OperatorView):
    @operation(
        parameters=[
            *DATES,
            OpenApiParameter("operator", int, description="Dialogs this colleague took part in."),
            OpenApiParameter("status", str, enum=Dialog.Status.values),
            OpenApiParameter(
                "q", str, description="Text in a message, or the visitor's name, email or phone."
            ),
            TAG,
            CURSOR,
            LIMIT,
        ],
        responses=DialogPage,
        operation_id="history",
        tags=["lists"],
    )
    def get(self, request):
        """Dialog history: the dialogs I may see, with the History page's filters."""
        rows = filtered(HistoryFilter(request.query_params, operator=self.operator))
        return _page(request, rows.select_related("site", "visitor"), s.DialogRowSerializer)


class LeadsView(OperatorView):
    @operation(
        parameters=[
            *DATES,
            OpenApiParameter("source", str, enum=Lead.Source.values),
            TAG,
            CURSOR,
            LIMIT,
        ],
        responses=LeadPage,
        operation_id="leads",
        tags=["lists"],
    )
    def get(self, request):
        """Leads of my sites, with the Leads page's filters."""
        rows = filtered(LeadFilter(request.query_params, operator=self.operator))
        return _page(request, rows.select_related("site"), s.LeadSerializer)
