"""A dialog's messages: read them page by page, send one, upload a file with one."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api import serializers as s
from api.views.base import OperatorView, int_param, limit_of, operation, page
from api.views.reading import CURSOR, LIMIT, MessagePage
from chat.console import selectors
from chat.messaging import attachments, posting, uploads


def _stored(message, created: bool) -> Response:
    """201 for a new message, 200 for a resend of one already stored (same client_id)."""
    return Response(s.MessageSerializer(message).data, status=201 if created else 200)


STORED = {
    201: OpenApiResponse(s.MessageSerializer, description="Stored."),
    200: OpenApiResponse(
        s.MessageSerializer, description="Sent before with this client_id: the stored one."
    ),
}


class MessagesView(OperatorView):
    @operation(
        parameters=[CURSOR, LIMIT],
        responses=MessagePage,
        operation_id="dialog_messages",
        tags=["messages"],
    )
    def get(self, request, pk):
        """The transcript, oldest first: every message the console shows (visitor, operators,
        system lines), a page at a time; `cursor` is the last message id you have."""
        dialog = selectors.dialog_for_operator(self.operator, pk)
        limit = limit_of(request)
        after = int_param(request, "cursor", default=0)
        rows = selectors.transcript(dialog.id, after=after, limit=limit + 1)
        return Response(
            page(
                request,
                rows,
                limit=limit,
                serializer=s.MessageSerializer,
                cursor_of=lambda message: message.id,
            )
        )

    @extend_schema(
        request=s.PostMessageSerializer,
        responses=STORED,
        operation_id="send_message",
        tags=["messages"],
    )
    def post(self, request, pk):
        """Send a message to the visitor, as the console's socket does: connected operators
        only; a resend with the same client_id is stored once."""
        data = s.PostMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = posting.post_operator_message(
            operator=self.operator,
            dialog_id=pk,
            client_id=data.validated_data["client_id"],
            text=data.validated_data["text"],
        )
        return _stored(message, created)


class UploadView(OperatorView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.UploadSerializer},
        responses=STORED,
        operation_id="upload_attachment",
        tags=["messages"],
    )
    def post(self, request, pk):
        """Send a file (with an optional caption): the console upload's checks of size and
        content; a resend with the same client_id is stored once."""
        django_request = request._request
        guard = uploads.guard_upload(django_request)  # before the body is parsed
        upload = uploads.prepare(uploads.uploaded_file(django_request, guard))
        with attachments.discarded_on_failure(upload):
            message, created = posting.post_operator_message(
                operator=self.operator,
                dialog_id=pk,
                client_id=django_request.POST.get("client_id"),
                text=django_request.POST.get("text", ""),
                attachment=upload,
            )
        return _stored(message, created)
