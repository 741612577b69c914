"""What the API answers, as typed serializers (the OpenAPI schema is built from them).
Read-only shapes of the rows the console's selectors already loaded: no query of their own."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.messaging import attachments, payloads
from chat.models import Dialog, Message
from operators.models import Operator


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OperatorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VisitorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    online = serializers.BooleanField(source="is_online")


class DialogRowSerializer(serializers.Serializer):
    """A dialog as a tab, History or a lead lists it."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Dialog.Status.choices)
    site = RefSerializer()
    visitor = VisitorRefSerializer()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    last_message_at = serializers.DateTimeField()
    last_message_text = serializers.CharField()
    last_message_author = serializers.CharField()
    unread_count = serializers.IntegerField()
    waiting_since = serializers.SerializerMethodField(
        help_text="Since when the visitor waits for an answer (null: he does not)."
    )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_waiting_since(self, dialog) -> str | None:
        since = payloads.waiting_since_of(dialog)
        return since.isoformat() if since else None


class DialogSerializer(DialogRowSerializer):
    """One dialog as its console page shows it (chat.console.selectors.dialog_view)."""

    operators = OperatorRefSerializer(many=True)
    is_participant = serializers.BooleanField()
    can_connect = serializers.BooleanField()


class AuthorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Message.Author.choices)
    name = serializers.CharField(required=False)


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    is_image = serializers.BooleanField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)


class MessageSerializer(serializers.Serializer):
    """A message as the console socket's "message" frame carries it (docs/protocol.md)."""

    id = serializers.IntegerField()
    dialog = serializers.IntegerField(source="dialog_id")
    client_id = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    text = serializers.CharField()
    sent_at = serializers.DateTimeField(source="created_at")
    attachment = serializers.SerializerMethodField()

    def get_client_id(self, message) -> str | None:
        return message.client_id or None

    @extend_schema_field(AuthorSerializer)
    def get_author(self, message) -> dict:
        return payloads.author_of(message)

    @extend_schema_field(AttachmentSerializer(allow_null=True))
    def get_attachment(self, message) -> dict | None:
        """The console's attachment fields, with URLs an app can open with its token."""
        data = attachments.attachment_data(message, "console")
        if data is not None:
            attachment_id = message.attachment.id
            data["url"] = reverse("api:attachment", args=[attachment_id])
            if data["thumbnail_url"]:
                data["thumbnail_url"] = reverse("api:attachment_thumbnail", args=[attachment_id])
        return data


class NoteSerializer(serializers.Serializer):
    """An internal note (teamwork): operators only, never the visitor."""

    id = serializers.IntegerField()
    dialog = serializers.IntegerField(source="dialog_id")
    author = OperatorRefSerializer(allow_null=True)
    recipient = OperatorRefSerializer(allow_null=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class PostMessageSerializer(serializers.Serializer):
    client_id = serializers.CharField(
        max_length=64, help_text="The sender's id of the message: a resend with it is stored once."
    )
    text = serializers.CharField(allow_blank=False, trim_whitespace=False, max_length=100000)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    client_id = serializers.CharField(max_length=64)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class InviteSerializer(serializers.Serializer):
    operator = serializers.IntegerField(min_value=1, help_text="The colleague to invite.")


class TransferSerializer(serializers.Serializer):
    operator = serializers.IntegerField(min_value=1, help_text="The colleague to hand over to.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=100000)


class BlockSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class BlockedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    network = serializers.CharField(help_text="The IP address or network; empty for e-mail.")
    email = serializers.CharField(
        help_text="The e-mail address of a visitor who wrote only by e-mail; else empty."
    )
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class TabSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=["mine", "others", "missed"])
    count = serializers.IntegerField(help_text="Open dialogs the tab lists now.")


class TabsSerializer(serializers.Serializer):
    tabs = TabSerializer(many=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Operator.Status.choices)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    account = RefSerializer()
    status = serializers.ChoiceField(choices=Operator.Status.choices)
    can_see_others = serializers.BooleanField()
    can_join_others = serializers.BooleanField()
    can_see_reports = serializers.BooleanField()
    can_manage_site_settings = serializers.BooleanField()


class VisitSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField()
    current_url = serializers.CharField()
    current_title = serializers.CharField()
    landing_url = serializers.CharField()
    referrer = serializers.CharField()
    browser = serializers.CharField()
    os = serializers.CharField()
    device = serializers.CharField()
    country = serializers.CharField()
    city = serializers.CharField()
    utm = serializers.DictField(child=serializers.CharField())


class StaySerializer(serializers.Serializer):
    operator = OperatorRefSerializer()
    joined_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)


class VisitorCardSerializer(serializers.Serializer):
    """The console's visitor card (chat.visitors.card.visitor_card)."""

    id = serializers.IntegerField(source="visitor.id")
    name = serializers.CharField(source="visitor.display_name")
    email = serializers.CharField(source="visitor.email")
    phone = serializers.CharField(source="visitor.phone")
    online = serializers.BooleanField(source="visitor.is_online")
    visits_count = serializers.IntegerField(source="visitor.visits_count")
    first_seen_at = serializers.DateTimeField(source="visitor.first_seen_at")
    visit = VisitSerializer(allow_null=True)
    stays = StaySerializer(many=True)


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shortcut = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


class LeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    message = serializers.CharField()
    site = RefSerializer()
    dialog = serializers.IntegerField(source="dialog_id", allow_null=True)
    created_at = serializers.DateTimeField()


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dialog = serializers.IntegerField(source="dialog_id")
    invitee = serializers.IntegerField(source="invitee_id")
    status = serializers.CharField()


class TransferResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dialog = serializers.IntegerField(source="dialog_id")
    receiver = serializers.IntegerField(source="receiver_id")
