"""Tenancy walk: an operator never reads or changes anything of another account, of a
colleague's dialog he may not see, or of a site he does not serve.

Account A (sites A1 and A2) holds a dialog on A1 with messages, files, a lead, an export,
a blocked IP, an invitation, a canned reply and a proactive invitation rule, each carrying a
secret string. Three
operators walk EVERY console URL (enumerated from the URLConf; each URL with an id gets
A's object) and EVERY socket action (enumerated from OperatorConsumer.handlers):

  (a) B's operator, with every flag, from account B;
  (b) A's operator without flags, against the colleague's active dialog (Others);
  (c) A's operator who serves only A2, against A1's objects.

Each must be refused (403/404 pages, error frames), change nothing in the database and
never see a secret string in any response or frame.
"""

import itertools
import json

import pytest
from channels.db import database_sync_to_async
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from url_walk import routes

from api import tokens
from api.models import AccessToken
from chat.dialogs import lifecycle
from chat.messaging import attachments, posting, uploads
from chat.models import (
    Attachment,
    BlockedIP,
    Dialog,
    Invitation,
    Message,
    Participant,
    Visitor,
)
from chat.realtime.consumers.operator import OperatorConsumer
from chat.visitors import sessions
from crm import payloads as crm_payloads
from crm.models import Export, Integration
from engage.rule_models import InvitationRule
from leads.models import Lead
from mailchannel.models import MailDelivery
from messengers.models import Bot, Contact
from messengers.models import Delivery as MessengerDelivery
from operators.models import Operator
from replies.models import CannedReply
from tags.models import DialogTag, Tag
from webhooks.models import Delivery as WebhookDelivery
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db(transaction=True)

# Secret strings in A's data, by what they belong to.
S_VISITOR = "Zorro-A-visitor-name"
S_EMAIL = "zorro.secret@a-company.example"
S_MESSAGE = "A-secret-message-about-the-vault"
S_FILE = "a-secret-vault-plan"
S_LEAD = "A-secret-lead-request"
S_EXPORT = "A-secret-crm-error"
S_BLOCKED = "A-secret-block-reason"
S_REPLY = "A-secret-canned-reply"
S_RULE = "A-secret-invitation-rule"
S_WEBHOOK = "A-secret-webhook-error"

DIALOG_SECRETS = (S_MESSAGE, S_FILE, S_EXPORT)
ALL_SECRETS = (
    S_VISITOR, S_EMAIL, S_MESSAGE, S_FILE, S_LEAD, S_EXPORT, S_BLOCKED, S_REPLY, S_RULE,
    S_WEBHOOK,
)  # fmt: skip
# Account-wide objects: any operator of the account manages them, whatever his sites.
ACCOUNT_WIDE = ("blocked", "reply", "tag", "webhook_endpoint", "webhook_delivery")

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# URL parameters that name an object of an account.
ID_PARAMETERS = ("pk", "site_id")
# Every console URL with an id: which of A's objects it is walked with. A new URL with
# an id fails test_every_console_url_has_a_target until it gets its row here.
TARGETS = {
    "console:dialog": "dialog",
    "console:connect": "dialog",
    "console:end": "dialog",
    "console:leave": "dialog",
    "console:invite": "dialog",
    "console:block": "dialog",
    "console:attachment_upload": "dialog",
    "console:attachment": "attachment",
    "console:attachment_thumbnail": "attachment",
    "console:unblock": "blocked",
    "leads:detail": "lead",
    "crm:send_dialog": "dialog",
    "crm:dialog_exports": "dialog",
    "crm:send_lead": "lead",
    "crm:retry": "export",
    "replies:edit": "reply",
    "replies:delete": "reply",
    "replies:used": "reply",
    "invitations:list": "a1",
    "invitations:add": "a1",
    "invitations:edit": "rule",
    "invitations:pause": "rule",
    "invitations:delete": "rule",
    "engage:write": "visitor",
    "site_settings:hours": "a1",
    "site_settings:routing": "a1",
    "tags:edit": "tag",
    "tags:delete": "tag",
    "tags:dialog_add": "dialog",
    "tags:dialog_remove": "dialog",
    "teamwork:transfer": "dialog",
    "messengers_console:retry": "delivery",
    "mail_console:retry": "mail_delivery",
    "site_settings:email": "a1",
    "messengers_console:unlink": "bot",
    "webhooks:edit": "webhook_endpoint",
    "webhooks:delete": "webhook_endpoint",
    "webhooks:test": "webhook_endpoint",
    "webhooks:retry": "webhook_delivery",
    "tokens:revoke": "token",
}
# Every socket action: the frame each actor sends about A's objects. A new handler fails
# test_every_socket_action_has_a_frame until it gets its row here.
FRAMES = {
    "watch": lambda a: {"dialog": a["dialog"].id},
    "resume": lambda a: {"dialog": a["dialog"].id, "after": 0},
    "message": lambda a: {"dialog": a["dialog"].id, "client_id": "x1", "text": "intrusion"},
    "typing": lambda a: {"dialog": a["dialog"].id, "typing": True},
    "invite": lambda a: {"dialog": a["dialog"].id, "invitee": a["peer"].id},
    "answer_invitation": lambda a: {"invitation": a["invitation"].id, "accept": True},
    "read": lambda a: {"dialog": a["dialog"].id, "up_to": 1},
    "here": lambda a: {"dialog": a["dialog"].id},
    # A's dialog claimed as shown in Others (the colleague's active dialog) and counted in
    # Mine, version unknown: as if the page listed it.
    "sync": lambda a: {
        "tab": "others",
        "shown": {str(a["dialog"].id): "0"},
        "more": False,
        "mine": [a["dialog"].id],
        "mine_from": 0,
    },
}
REFUSED_CODES = {"forbidden", "not_found", "invalid"}
# Actions that answer with the operator's own lists: ids of others in the frame are
# ignored (never echoed, never rendered) instead of refused.
OWN_LISTS = {"sync": "synced"}


def ids_in_synced(answer: dict) -> set[int]:
    members = {dialog_id for ids in answer["members"].values() for dialog_id in ids}
    return members | {row["dialog"] for row in answer["rows"]}


def console_routes():
    return [route for route in routes() if route.route.startswith("console/")]


def has_id(route) -> bool:
    return any(name in route.parameters for name in ID_PARAMETERS)


# --- the two accounts ------------------------------------------------------------------


def _upload(name, content):
    return uploads.prepare(SimpleUploadedFile(name, content, "application/octet-stream"))


@pytest.fixture
def world(make_account, make_site, make_operator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account_a, account_b = make_account(name="A"), make_account(name="B")
    a1, a2 = make_site(account=account_a), make_site(account=account_a)
    b1 = make_site(account=account_b)
    flags = {"can_see_others": True, "can_join_others": True, "can_manage_site_settings": True}
    owner = make_operator(account=account_a, sites=[a1, a2], **flags)
    peer = make_operator(account=account_a, sites=[a1], **flags)
    no_flags = make_operator(account=account_a, sites=[a1])
    outsider = make_operator(account=account_a, sites=[a2], **flags)
    stranger = make_operator(account=account_b, sites=[b1], **flags)

    session = sessions.start_visitor_session(
        site=a1, token=None, ip="203.0.113.77", user_agent="Firefox"
    )
    Visitor.objects.filter(pk=session.visitor.id).update(name=S_VISITOR, email=S_EMAIL)
    first, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text=S_MESSAGE
    )
    posting.post_visitor_message(
        visitor_id=session.visitor.id,
        visit_id=session.visit.id,
        client_id="v2",
        text="",
        attachment=_upload(f"{S_FILE}.pdf", PDF),
    )
    dialog = Dialog.objects.get(pk=first.dialog_id)
    lifecycle.connect_operator(operator=owner, dialog_id=dialog.id)  # active: Others for no_flags
    attachment = Attachment.objects.get(message__dialog=dialog)
    lead = Lead.objects.create(
        account=account_a,
        site=a1,
        visitor=session.visitor,
        dialog=dialog,
        source=Lead.Source.INTRODUCE,
        name=S_VISITOR,
        email=S_EMAIL,
        message=S_LEAD,
    )
    integration = Integration.objects.create(
        account=account_a, name="A CRM", kind="webhook", settings={"url": "http://127.0.0.1:9/"}
    )
    export = Export.objects.create(
        integration=integration, dialog=dialog, status=Export.Status.FAILED, last_error=S_EXPORT
    )
    blocked = BlockedIP.objects.create(
        account=account_a, network="198.51.100.0/24", reason=S_BLOCKED
    )
    invitation = Invitation.objects.create(dialog=dialog, inviter=owner, invitee=peer)
    reply = CannedReply.objects.create(
        account=account_a, site=a1, shortcut="vault", title="Vault", text=S_REPLY
    )
    rule = InvitationRule.objects.create(site=a1, name=S_RULE, text=S_RULE)
    tag = Tag.objects.create(account=account_a, name="A-tag", colour="blue")
    bot = Bot.objects.create(site=a1, kind="telegram", name="a_bot", external_id="1", token="t")
    contact = Contact.objects.create(visitor=dialog.visitor, bot=bot, user_id="42")
    delivery = MessengerDelivery.objects.create(
        message=first, contact=contact, status=MessengerDelivery.Status.FAILED, reason=S_EXPORT
    )
    mail_delivery = MailDelivery.objects.create(
        account=account_a, site=a1, dialog=dialog, kind="answer", recipients=S_EMAIL,
        language="en", mail_id="<a-mail@x>", status="failed", reason=S_EXPORT,
    )  # fmt: skip
    # Paused and subscribed to leads only: nothing is sent while the walk posts messages.
    webhook_endpoint = Endpoint.objects.create(
        account=account_a, url="http://127.0.0.1:9/", events=["lead.created"], is_active=False
    )
    webhook_delivery = WebhookDelivery.objects.create(
        endpoint=webhook_endpoint,
        event="lead.created",
        payload={},
        status=WebhookDelivery.Status.FAILED,
        last_error=S_WEBHOOK,
    )
    token, raw_token = tokens.create_token(operator=owner, name="A's phone")

    # B's own rows of each kind, so B's pages are not empty by accident.
    b_session = sessions.start_visitor_session(site=b1, token=None, ip="192.0.2.5", user_agent="")
    b_message, _ = posting.post_visitor_message(
        visitor_id=b_session.visitor.id, visit_id=b_session.visit.id, client_id="b1", text="B hi"
    )
    lifecycle.connect_operator(operator=stranger, dialog_id=b_message.dialog_id)
    Invitation.objects.create(
        dialog_id=b_message.dialog_id,
        inviter=stranger,
        invitee=make_operator(account=account_b, sites=[b1]),
    )
    # What A's CRM received, in the demo receiver that the console shows.
    settings.CRM_DEMO_RECEIVER = True
    settings.CRM_DEMO_RECEIVER_FILE = tmp_path / "crm-demo.json"
    body = crm_payloads.build(Export.objects.select_related("integration").get(pk=export.pk))
    record = {"id": "demo-1", "key": "k", "received_at": "", "event": "", "duplicates": 0}
    settings.CRM_DEMO_RECEIVER_FILE.write_text(json.dumps([{**record, "body": body}]))
    return {
        "a1": a1,
        "owner": owner,
        "peer": peer,
        "no_flags": no_flags,
        "outsider": outsider,
        "stranger": stranger,
        "dialog": dialog,
        "attachment": attachment,
        "lead": lead,
        "export": export,
        "blocked": blocked,
        "invitation": invitation,
        "reply": reply,
        "rule": rule,
        "visitor": dialog.visitor,
        "tag": tag,
        "delivery": delivery,
        "mail_delivery": mail_delivery,
        "bot": bot,
        "webhook_endpoint": webhook_endpoint,
        "webhook_delivery": webhook_delivery,
        "token": token,
        "raw_token": raw_token,
    }


def snapshot() -> dict:
    """What a refused action must leave as it was."""
    return {
        "dialogs": sorted(Dialog.objects.values_list("id", "status", "unread_count")),
        "stays": sorted(Participant.objects.values_list("id", "operator_id", "left_at")),
        "messages": Message.objects.count(),
        "attachments": sorted(Attachment.objects.values_list("id", "name")),
        "invitations": sorted(Invitation.objects.values_list("id", "status")),
        "blocked": sorted(BlockedIP.objects.values_list("id", "network")),
        "leads": sorted(Lead.objects.values_list("id", "name")),
        "exports": sorted(Export.objects.values_list("id", "status", "attempts")),
        "replies": sorted(CannedReply.objects.values_list("id", "text", "usage_count")),
        "rules": sorted(InvitationRule.objects.values_list("id", "name", "paused")),
        "tags": sorted(Tag.objects.values_list("id", "name", "colour")),
        "dialog_tags": DialogTag.objects.count(),
        "deliveries": sorted(MessengerDelivery.objects.values_list("id", "status", "attempts")),
        "mail_deliveries": sorted(MailDelivery.objects.values_list("id", "status", "attempts")),
        "messenger_bots": sorted(Bot.objects.values_list("id", "token")),
        "operators": sorted(Operator.objects.values_list("id", "status", "language")),
        "webhook_endpoints": sorted(Endpoint.objects.values_list("id", "url", "is_active")),
        "webhook_deliveries": sorted(
            WebhookDelivery.objects.values_list("id", "status", "attempts")
        ),
        "tokens": sorted(AccessToken.objects.values_list("id", "revoked_at")),
    }


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def assert_no_secret(text: str, secrets, where: str):
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, f"{where} shows {leaked}"


# --- the tables cover everything ---------------------------------------------------------


def test_every_console_url_has_a_target():
    with_ids = {route.name for route in console_routes() if has_id(route)}
    assert with_ids - set(TARGETS) == set(), "add the new URL to TARGETS"


def test_every_socket_action_has_a_frame():
    assert set(OperatorConsumer.handlers) - set(FRAMES) == set(), "add the new action to FRAMES"


# --- pages --------------------------------------------------------------------------------


# What an operator without flags may not open (webhooks: managers of site settings only).
NO_FLAGS_REFUSED = (
    "dialog", "attachment", "export", "delivery", "mail_delivery", "a1", "rule", "tag", "token",
    "webhook_endpoint", "webhook_delivery",
)  # fmt: skip

ACTORS = {
    # actor: (which targets he must be refused, which secrets he must never see)
    "stranger": (lambda target: True, ALL_SECRETS),
    "no_flags": (
        lambda target: target in NO_FLAGS_REFUSED,
        (*DIALOG_SECRETS, S_RULE, S_WEBHOOK),
    ),
    "outsider": (
        lambda target: target not in ACCOUNT_WIDE,
        tuple(s for s in ALL_SECRETS if s not in (S_BLOCKED, S_REPLY, S_WEBHOOK)),
    ),
}


@pytest.mark.parametrize("actor", list(ACTORS))
def test_console_urls_refuse_the_objects_of_others(world, actor):
    refused_target, secrets = ACTORS[actor]
    client = Client()
    client.force_login(world[actor].user)
    before = snapshot()
    walked = []
    for route in console_routes():
        if not has_id(route):
            continue
        target = TARGETS[route.name]
        if not refused_target(target):
            continue
        url = route.url(**{name: world[target].id for name in route.parameters})
        for method in ("get", "post"):
            data = {"invitee": world["peer"].id, "client_id": "o1", "text": "intrusion"}
            if method == "post":  # uploads reach the access check only with a file
                data["file"] = SimpleUploadedFile("x.pdf", PDF, "application/pdf")
            response = getattr(client, method)(url, data)
            assert response.status_code in (403, 404, 405), (
                f"{actor} {method.upper()} {url} ({route.name}) answered {response.status_code}"
            )
            assert_no_secret(body_of(response), secrets, f"{method.upper()} {url}")
        walked.append(route.name)
    assert snapshot() == before
    assert "console:dialog" in walked and "console:attachment" in walked


@pytest.mark.parametrize("actor", list(ACTORS))
def test_console_lists_show_nothing_of_others(world, actor):
    """Every console page without an id (tabs, history, leads, CSV, blocked, replies ...),
    also when its filters name A's site, colleague or words."""
    _refused, secrets = ACTORS[actor]
    client = Client()
    client.force_login(world[actor].user)
    probes = [
        {},
        {"site": world["a1"].id, "date_from": "", "date_to": ""},
        {"operator": world["owner"].id, "date_from": "", "date_to": ""},
        # Words of the secrets (a whole secret would be echoed back in the search box).
        {"q": "vault", "date_from": "", "date_to": ""},
        {"q": "Zorro", "date_from": "", "date_to": ""},
    ]
    walked = 0
    for route in console_routes():
        if has_id(route):
            continue
        for url, query in itertools.product(route.urls(), probes):
            response = client.get(url, query, follow=True)  # a redirect to his own page
            assert response.status_code in (200, 400, 403, 404, 405), (route.name, query)
            assert_no_secret(body_of(response), secrets, f"GET {url} {query}")
            walked += 1
    assert walked >= 10 * len(probes)


def test_attachment_urls_of_the_visitor_are_signed_for_one_dialog(world, client):
    token = attachments.visitor_token(world["attachment"])
    assert client.get(reverse("attachment", args=[token])).status_code == 200
    data = signing.loads(token, salt=attachments.SIGNING_SALT)
    forged = signing.dumps({**data, "d": data["d"] + 1}, salt=attachments.SIGNING_SALT)
    for bad in (token[:-2] + "xx", forged, signing.dumps(data, salt="another")):
        response = client.get(reverse("attachment", args=[bad]))
        assert response.status_code == 404
        assert PDF not in body_of(response).encode()


# --- socket actions ------------------------------------------------------------------------


@pytest.mark.parametrize("actor", list(ACTORS))
async def test_socket_actions_refuse_the_objects_of_others(world, actor, sockets):
    _refused, secrets = ACTORS[actor]
    before = await database_sync_to_async(snapshot)()
    communicator, _hello = await sockets.operator(world[actor])
    for kind in OperatorConsumer.handlers:
        frame = {"type": kind, **FRAMES[kind](world)}
        await communicator.send_json_to(frame)
        # 10 s: once, on CI's PostgreSQL pass beside the browser tests, an answer took over 3.
        answer = await communicator.receive_json_from(timeout=10)
        if kind in OWN_LISTS and actor != "no_flags":  # no_flags may not list Others at all
            assert answer["type"] == OWN_LISTS[kind], f"{actor} {kind}: {answer}"
            assert world["dialog"].id not in ids_in_synced(answer), f"{actor} {kind}: {answer}"
        else:
            assert answer["type"] == "error", f"{actor} {kind}: {answer}"
            assert answer["code"] in REFUSED_CODES | {"not_connected"}, f"{actor} {kind}: {answer}"
        assert_no_secret(json.dumps(answer, ensure_ascii=False), secrets, kind)
        await sockets.silent(communicator)
    assert await database_sync_to_async(snapshot)() == before

    # Nothing of the dialog reaches the socket afterwards: no group was joined.
    await database_sync_to_async(posting.post_visitor_message)(
        visitor_id=world["dialog"].visitor_id,
        visit_id=None,
        client_id="v3",
        text=S_MESSAGE + " again",
    )
    frames = []
    while not await communicator.receive_nothing(timeout=0.5):
        frames.append(await communicator.receive_json_from())
    for frame in frames:
        assert frame["type"] == "row" and frame["html"] is None, frame  # a count, no content
        assert_no_secret(json.dumps(frame, ensure_ascii=False), secrets, "live frame")
    if actor != "no_flags":  # a colleague of the site hears the row change (tab counts)
        assert frames == []
