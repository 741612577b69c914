"""What every API view shares: the token's operator, cursors and the page envelope."""

from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class OperatorView(APIView):
    """Authentication, permission and throttling come from REST_FRAMEWORK (settings). Texts
    (details of problems) are in the operator's console language when his profile sets
    one, else in the request's Accept-Language (LocaleMiddleware), as console pages are."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.auth is not None and request.auth.operator.language:
            translation.activate(request.auth.operator.language)
        refuse_unknown_query_parameters(request, getattr(self, request.method.lower(), None))

    @property
    def operator(self):
        return self.request.auth.operator


def operation(*, parameters=(), **schema):
    """extend_schema, and the query parameters it documents become the only ones the method
    accepts: one it does not know (a typo like `stauts=open`) would silently widen a list, so
    it gets a 400 that names it."""

    def decorate(method):
        method.query_parameters = frozenset(
            parameter.name
            for parameter in parameters
            if parameter.location == OpenApiParameter.QUERY
        )
        return extend_schema(parameters=list(parameters), **schema)(method)

    return decorate


def refuse_unknown_query_parameters(request, handler) -> None:
    if handler is None:  # a method the view does not have: its 405 comes next
        return
    known = getattr(handler, "query_parameters", frozenset())
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)
        raise ValidationError(
            {"query": [_("Unknown query parameter: %(names)s.") % {"names": names}]}
        )


def int_param(request, name: str, *, default=None, minimum=0, maximum=2**62):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["Must be a whole number."]}) from None
    if not minimum <= value <= maximum:
        raise ValidationError({name: [f"Must be between {minimum} and {maximum}."]})
    return value


def limit_of(request) -> int:
    return int_param(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)


def page(request, rows, *, limit: int, serializer, cursor_of) -> dict:
    """{"results", "next"} of rows read one beyond the limit: next is this URL with the
    cursor of the last row shown, or null when no row follows."""
    shown = rows[:limit]
    next_url = None
    if len(rows) > limit:
        query = request.query_params.copy()
        query["cursor"] = str(cursor_of(shown[-1]))
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)
    return {"results": serializer(shown, many=True).data, "next": next_url}


def page_serializer(item, name: str):
    """The schema of a page of items (drf-spectacular names it)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "results": item(many=True),
            "next": serializers.URLField(
                allow_null=True, help_text="The next page's URL (null: this is the last)."
            ),
        },
    )
