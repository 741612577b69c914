"""The Visitors tab (engage): who is on my sites now, and Write to visitor."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import serializers as s
from api.views.base import OperatorView, operation
from api.views.reading import dialog_data
from chat.console import selectors
from engage import outreach, visitors
from engage.visitors_forms import VisitorFilterForm


class OnlineVisitorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="visitor.id")
    name = serializers.CharField(source="visitor.display_name")
    site = serializers.IntegerField(source="site_id")
    url = serializers.CharField()
    title = serializers.CharField()
    pages = serializers.IntegerField()
    since = serializers.DateTimeField()
    location = serializers.CharField()
    device = serializers.CharField()
    dialog = serializers.IntegerField(source="dialog.id", allow_null=True, default=None)
    operators = s.OperatorRefSerializer(many=True)


class OnlineVisitorsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = OnlineVisitorSerializer(many=True)


class WriteSerializer(serializers.Serializer):
    client_id = serializers.CharField(max_length=64)
    text = serializers.CharField(max_length=100000)


class VisitorsView(OperatorView):
    @operation(
        parameters=[
            OpenApiParameter("site", int, description="Only this site of mine."),
            OpenApiParameter("not_in_dialog", bool, description="Only visitors not in a dialog."),
            OpenApiParameter("page", str, description="Text in the page's address or title."),
        ],
        responses=OnlineVisitorsSerializer,
        operation_id="visitors",
        tags=["visitors"],
    )
    def get(self, request):
        """The Visitors tab: everyone on my sites now, newest visit first (its filters)."""
        flag = request.query_params.getlist("not_in_dialog")
        if flag and flag not in (["true"], ["false"]):
            raise ValidationError({"not_in_dialog": ["Must be true or false."]})
        sites = self.operator.sites.order_by("name")
        form = VisitorFilterForm(request.query_params, sites=sites)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        site = form.cleaned_data["site"]
        rows = visitors.online_rows(
            selectors.site_ids_of(self.operator),
            site_id=site.id if site else None,
            not_in_dialog=form.cleaned_data["not_in_dialog"],
            page_contains=form.cleaned_data["page"],
        )
        return Response(
            {"count": len(rows), "results": OnlineVisitorSerializer(rows, many=True).data}
        )


class WriteView(OperatorView):
    @extend_schema(
        request=WriteSerializer,
        responses={201: s.DialogSerializer},
        operation_id="write_to_visitor",
        tags=["visitors"],
    )
    def post(self, request, pk):
        """Write to a visitor on my site (Write to visitor): a new dialog, in my Mine."""
        data = WriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dialog, _message = outreach.write_to_visitor(
            operator=self.operator, visitor_id=pk, **data.validated_data
        )
        return Response(dialog_data(self.operator, dialog.id), status=201)
