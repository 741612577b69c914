"""Read operations: me, tabs and their dialogs, a dialog, its messages and notes, the
visitor card, canned replies, attachments. Each calls the console's selector."""

from django.db.models import Q, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api import serializers as s
from api.views.base import OperatorView, int_param, limit_of, operation, page, page_serializer
from chat.console import selectors
from chat.dialogs import access
from chat.views.attachments import serve
from chat.visitors import card
from replies import selectors as reply_selectors
from teamwork import selectors as teamwork_selectors

CURSOR = OpenApiParameter(
    "cursor",
    {"type": "integer", "minimum": 1},
    description="From a page's `next` URL: the rows after this one.",
)
LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": 100},
    description="Rows per page, 1 to 100 (default 25).",
)

DialogPage = page_serializer(s.DialogRowSerializer, "DialogPage")
MessagePage = page_serializer(s.MessageSerializer, "MessagePage")


class MeView(OperatorView):
    @extend_schema(responses=s.MeSerializer, operation_id="me", tags=["operator"])
    def get(self, request):
        """The token's operator: his name, account, status and access flags."""
        return Response(s.MeSerializer(self.operator).data)


class TabsView(OperatorView):
    @extend_schema(responses=s.TabsSerializer, operation_id="tabs", tags=["dialogs"])
    def get(self, request):
        """My console tabs (Others only with its access flag) and how many open dialogs each
        lists now, as the console's tab bar counts them."""
        members = selectors.tab_members(self.operator)
        tabs = [{"name": tab, "count": len(ids)} for tab, ids in members.items()]
        return Response({"tabs": tabs})


class TabDialogsView(OperatorView):
    @operation(
        parameters=[
            OpenApiParameter(
                "tab", str, OpenApiParameter.PATH, enum=list(selectors.TABS), description="Tab"
            ),
            CURSOR,
            LIMIT,
        ],
        responses=DialogPage,
        operation_id="tab_dialogs",
        tags=["dialogs"],
    )
    def get(self, request, tab):
        """A tab's dialogs, latest activity first (Others: 403 without can_see_others)."""
        limit = limit_of(request)
        rows = selectors.tab_dialogs(
            self.operator, tab, limit=limit + 1, after=int_param(request, "cursor", minimum=1)
        )
        return Response(
            page(
                request,
                rows,
                limit=limit,
                serializer=s.DialogRowSerializer,
                cursor_of=lambda row: row.id,
            )
        )


def dialog_data(operator, dialog_id: int) -> dict:
    """A dialog as its console page's header shows it (the page's rules of
    chat.dialogs.access), without reading its transcript."""
    dialog = selectors.dialog_for_operator(operator, dialog_id)  # NotFound / AccessDenied
    dialog.operators = selectors.active_operators(dialog.id)
    operator_ids = [op.id for op in dialog.operators]
    dialog.is_participant = operator.id in operator_ids
    dialog.can_connect = access.can_connect(
        operator, dialog, selectors.site_ids_of(operator), operator_ids
    )
    return s.DialogSerializer(dialog).data


class DialogView(OperatorView):
    @extend_schema(responses=s.DialogSerializer, operation_id="dialog", tags=["dialogs"])
    def get(self, request, pk):
        """A dialog as its console page shows it: who is in it, whether I may connect."""
        return Response(dialog_data(self.operator, pk))


class VisitorCardView(OperatorView):
    @extend_schema(responses=s.VisitorCardSerializer, operation_id="visitor_card", tags=["dialogs"])
    def get(self, request, pk):
        """The visitor card of a dialog: who, where now, how he came, who talked to him."""
        dialog = selectors.dialog_for_operator(self.operator, pk)
        return Response(s.VisitorCardSerializer(card.visitor_card(dialog)).data)


class NotesView(OperatorView):
    @extend_schema(
        responses=s.NoteSerializer(many=True), operation_id="dialog_notes", tags=["dialogs"]
    )
    def get(self, request, pk):
        """The internal notes of a dialog that I may read, oldest first (never the
        visitor's): shared notes, and private ones written to me."""
        dialog = selectors.dialog_for_operator(self.operator, pk)
        notes = teamwork_selectors.notes_for(self.operator, dialog.id)
        return Response(s.NoteSerializer(notes, many=True).data)


class DialogRepliesView(OperatorView):
    @extend_schema(
        responses=s.ReplySerializer(many=True), operation_id="dialog_replies", tags=["replies"]
    )
    def get(self, request, pk):
        """The canned replies the composer offers in this dialog (account-wide and the
        dialog's site), most used first."""
        dialog = selectors.dialog_for_operator(self.operator, pk)
        return Response(s.ReplySerializer(reply_selectors.for_dialog(dialog), many=True).data)


class RepliesView(OperatorView):
    @extend_schema(responses=s.ReplySerializer(many=True), operation_id="replies", tags=["replies"])
    def get(self, request):
        """Every canned reply of my account."""
        return Response(
            s.ReplySerializer(reply_selectors.for_account(self.operator), many=True).data
        )


class AttachmentView(OperatorView):
    thumbnail = False

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes},
        operation_id="attachment",
        tags=["dialogs"],
    )
    def get(self, request, pk):
        """The file of an attachment in a dialog I may read."""
        attachment = selectors.attachment_for_operator(self.operator, pk)
        return serve(attachment, thumbnail=self.thumbnail)


class ThumbnailView(AttachmentView):
    thumbnail = True

    @extend_schema(
        responses={(200, "image/*"): bytes}, operation_id="attachment_thumbnail", tags=["dialogs"]
    )
    def get(self, request, pk):
        """The thumbnail of an image attachment."""
        return super().get(request, pk)


def rows_before(rows, cursor: int | None, *, field: str = "created_at"):
    """Keyset cursor of a list newest first by (field, id): the rows after the one shown
    last, found only among the rows the list may show."""
    if cursor is None:
        return rows
    shown = Subquery(rows.filter(pk=cursor).order_by().values(field)[:1])
    return rows.filter(Q(**{f"{field}__lt": shown}) | Q(**{field: shown, "id__lt": cursor}))
