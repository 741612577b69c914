"""Dialog actions: connect, end, leave, invite, transfer, block, and my status. Each calls
the service the console's button calls, so the same live frames reach consoles and widgets."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from api import serializers as s
from api.views.base import OperatorView
from api.views.reading import dialog_data
from chat.console import presence
from chat.dialogs import invitations, lifecycle
from chat.visitors import blocking
from teamwork import transfers


class ConnectView(OperatorView):
    @extend_schema(
        request=None, responses=s.DialogSerializer, operation_id="connect", tags=["actions"]
    )
    def post(self, request, pk):
        """Join the dialog (the console's Connect): the visitor sees who answers."""
        lifecycle.connect_operator(operator=self.operator, dialog_id=pk)
        return Response(dialog_data(self.operator, pk))


class EndView(OperatorView):
    @extend_schema(request=None, responses=s.DialogSerializer, operation_id="end", tags=["actions"])
    def post(self, request, pk):
        """End the dialog for everyone in it."""
        lifecycle.end_dialog(operator=self.operator, dialog_id=pk)
        return Response(dialog_data(self.operator, pk))


class LeaveView(OperatorView):
    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Left.")},
        operation_id="leave",
        tags=["actions"],
    )
    def post(self, request, pk):
        """Step out of the dialog; it goes on with the colleagues left in it (or waits)."""
        lifecycle.leave_dialog(operator=self.operator, dialog_id=pk)
        return Response(status=204)


class InviteView(OperatorView):
    @extend_schema(
        request=s.InviteSerializer,
        responses={201: s.InvitationSerializer},
        operation_id="invite",
        tags=["actions"],
    )
    def post(self, request, pk):
        """Invite a colleague into the dialog; he answers in his console."""
        data = s.InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitations.invite_operator(
            operator=self.operator, dialog_id=pk, invitee_id=data.validated_data["operator"]
        )
        return Response(s.InvitationSerializer(invitation).data, status=201)


class TransferView(OperatorView):
    @extend_schema(
        request=s.TransferSerializer,
        responses={201: s.TransferResultSerializer},
        operation_id="transfer",
        tags=["actions"],
    )
    def post(self, request, pk):
        """Hand the dialog over to a colleague, with an optional private note to him."""
        data = s.TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = transfers.transfer_dialog(
            operator=self.operator,
            dialog_id=pk,
            receiver_id=data.validated_data["operator"],
            note=data.validated_data["note"],
        )
        return Response(s.TransferResultSerializer(transfer).data, status=201)


class BlockView(OperatorView):
    @extend_schema(
        request=s.BlockSerializer,
        responses={201: s.BlockedSerializer},
        operation_id="block",
        tags=["actions"],
    )
    def post(self, request, pk):
        """Block the visitor's IP address for the whole account (his e-mail address when
        he wrote only by e-mail)."""
        data = s.BlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = blocking.block_visitor(
            operator=self.operator, dialog_id=pk, reason=data.validated_data["reason"]
        )
        return Response(s.BlockedSerializer(entry).data, status=201)


class StatusView(OperatorView):
    @extend_schema(responses=s.StatusSerializer, operation_id="status", tags=["operator"])
    def get(self, request):
        """My status: online (new dialogs may reach me) or offline."""
        return Response({"status": self.operator.status})

    @extend_schema(
        request=s.StatusSerializer,
        responses=s.StatusSerializer,
        operation_id="set_status",
        tags=["operator"],
    )
    def put(self, request):
        """Set my status, as the console's status menu does."""
        data = s.StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        presence.status_changed(self.operator, data.validated_data["status"])
        return Response({"status": data.validated_data["status"]})
