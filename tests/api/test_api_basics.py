"""The operator API as an app uses it: a token, the tabs, a dialog, messages, actions, and
errors as problem details (docs/api.md)."""

import pytest
from django.urls import reverse

from chat.models import Dialog, Message

pytestmark = pytest.mark.django_db


def test_without_a_token_the_api_answers_401_problem_details(client):
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["instance"] == "/api/v1/me/"
    assert {"type", "title", "detail"} <= set(body)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(client):
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION="Bearer lcpat_nonsense")
    assert response.status_code == 401


def test_unknown_api_url_is_a_problem_not_a_page(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_me_and_status(api, alice):
    me = api.get(reverse("api:me")).json()
    assert me["id"] == alice.id and me["can_see_others"] is False
    assert api.put(reverse("api:status"), {"status": "offline"}, format="json").status_code == 200
    alice.refresh_from_db()
    assert alice.status == "offline"
    assert api.get(reverse("api:status")).json() == {"status": "offline"}
    bad = api.put(reverse("api:status"), {"status": "asleep"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"


def test_tabs_dialog_connect_send_end(api, alice, site, visitor_writes):
    first = visitor_writes(site)
    tabs = api.get(reverse("api:tabs")).json()["tabs"]
    assert {"name": "mine", "count": 1} in tabs and "others" not in {t["name"] for t in tabs}
    rows = api.get(reverse("api:tab_dialogs", args=["mine"])).json()
    assert [row["id"] for row in rows["results"]] == [first.dialog_id]
    assert rows["next"] is None

    url = reverse("api:messages", args=[first.dialog_id])
    refused = api.post(url, {"client_id": "a1", "text": "Hi"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_connected"

    dialog = api.post(reverse("api:connect", args=[first.dialog_id])).json()
    assert dialog["status"] == "active" and dialog["is_participant"] is True

    sent = api.post(url, {"client_id": "a1", "text": "Hi, how can I help?"}, format="json")
    assert sent.status_code == 201
    again = api.post(url, {"client_id": "a1", "text": "Hi, how can I help?"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]
    assert Message.objects.filter(dialog_id=first.dialog_id, client_id="a1").count() == 1

    transcript = api.get(url).json()["results"]
    assert [m["text"] for m in transcript if m["author"]["kind"] != "system"] == [
        "Hello, is anyone there?",
        "Hi, how can I help?",
    ]
    ended = api.post(reverse("api:end", args=[first.dialog_id])).json()
    assert ended["status"] == Dialog.Status.CLOSED


def test_cursor_pages_of_a_tab_and_a_transcript(api, alice, site, visitor_writes, settings):
    dialogs = [visitor_writes(site, ip=f"203.0.113.{n}").dialog_id for n in range(1, 6)]
    seen, url = [], reverse("api:tab_dialogs", args=["mine"]) + "?limit=2"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(dialogs) and len(seen) == 5
    bad = api.get(reverse("api:tab_dialogs", args=["mine"]) + "?limit=0")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "limit"


def test_others_tab_needs_its_flag(api):
    response = api.get(reverse("api:tab_dialogs", args=["others"]))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_history_and_leads_filters_are_the_pages(api, site, visitor_writes):
    visitor_writes(site, "A question about delivery")
    found = api.get(reverse("api:history"), {"q": "delivery"}).json()["results"]
    assert len(found) == 1
    assert api.get(reverse("api:history"), {"q": "nothing"}).json()["results"] == []
    bad = api.get(reverse("api:history"), {"date_from": "2026-02-10", "date_to": "2026-02-01"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "date_to"
    assert api.get(reverse("api:leads")).json() == {"results": [], "next": None}


def test_visitor_card_notes_and_replies(api, site, visitor_writes):
    message = visitor_writes(site)
    card = api.get(reverse("api:visitor_card", args=[message.dialog_id])).json()
    assert card["visit"]["browser"] is not None
    assert api.get(reverse("api:notes", args=[message.dialog_id])).json() == []
    assert api.get(reverse("api:dialog_replies", args=[message.dialog_id])).json() == []
    assert api.get(reverse("api:replies")).json() == []


def test_rate_limit_answers_429_with_retry_after(api, settings):
    settings.API_RATE_LIMIT = "3/min"
    codes = [api.get(reverse("api:me")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get(reverse("api:me"))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429


def test_cors_is_closed_by_default(api):
    response = api.get(reverse("api:me"), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_visitors_tab_and_write_to_visitor(api, alice, site):
    from chat.visitors import sessions

    assert api.get(reverse("api:visitors")).json() == {"count": 0, "results": []}
    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.5", user_agent="")
    url = reverse("api:write_to_visitor", args=[session.visitor.id])
    response = api.post(url, {"client_id": "w1", "text": "Can I help you?"}, format="json")
    assert response.status_code == 201
    dialog = response.json()
    assert dialog["is_participant"] is True and dialog["status"] == "active"
    missing = api.post(
        reverse("api:write_to_visitor", args=[999999]),
        {"client_id": "w2", "text": "Hi"},
        format="json",
    )
    assert missing.status_code == 404


def test_upload_has_the_console_checks(api, alice, site, visitor_writes, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    dialog_id = visitor_writes(site).dialog_id
    api.post(reverse("api:connect", args=[dialog_id]))
    url = reverse("api:upload", args=[dialog_id])
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    sent = api.post(
        url, {"client_id": "f1", "file": SimpleUploadedFile("plan.pdf", pdf)}, format="multipart"
    )
    assert sent.status_code == 201, sent.json()
    attachment = sent.json()["attachment"]
    assert attachment["name"] == "plan.pdf" and attachment["content_type"] == "application/pdf"
    assert api.get(attachment["url"]).status_code == 200
    settings.CHAT_ATTACHMENT_MAX_BYTES = 10
    big = api.post(
        url, {"client_id": "f2", "file": SimpleUploadedFile("big.pdf", pdf)}, format="multipart"
    )
    assert big.status_code == 413 and big.json()["code"] == "too_large"
    settings.CHAT_ATTACHMENT_MAX_BYTES = 10_000_000
    fake = api.post(
        url,
        {"client_id": "f3", "file": SimpleUploadedFile("x.png", b"not an image")},
        format="multipart",
    )
    assert fake.status_code == 201  # its content decides, not its name: not an image
    assert fake.json()["attachment"]["is_image"] is False


def test_leave_invite_transfer_block(api, alice, site, visitor_writes, make_operator):
    bob = make_operator(sites=[site], account=site.account, username="bobby")
    bob.open_sockets = 1
    bob.save()
    dialog_id = visitor_writes(site).dialog_id
    api.post(reverse("api:connect", args=[dialog_id]))
    invited = api.post(reverse("api:invite", args=[dialog_id]), {"operator": bob.id}, format="json")
    assert invited.status_code == 201, invited.json()
    moved = api.post(
        reverse("api:transfer", args=[dialog_id]),
        {"operator": bob.id, "note": "VIP"},
        format="json",
    )
    assert moved.status_code == 201, moved.json()
    other = visitor_writes(site, ip="203.0.113.44").dialog_id
    api.post(reverse("api:connect", args=[other]))
    assert api.post(reverse("api:leave", args=[other])).status_code == 204
    blocked = api.post(reverse("api:block", args=[other]), {"reason": "spam"}, format="json")
    assert blocked.status_code == 201 and blocked.json()["network"].startswith("203.0.113.44")


def test_problems_speak_the_operators_language(api, alice):
    alice.language = "ru"
    alice.save()
    response = api.put(reverse("api:status"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Обязательное поле."


def test_an_unknown_query_parameter_is_named_not_ignored(api, alice, site, visitor_writes):
    """A typo in a filter would silently widen the list: it gets a 400 that names it."""
    visitor_writes(site)
    refused = api.get(reverse("api:history"), {"stauts": "closed", "": "x"})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    [error] = refused.json()["errors"]
    assert error["field"] == "query"
    assert "“stauts”" in error["message"] and "“”" in error["message"]
    assert api.get(reverse("api:history"), {"status": "closed"}).status_code == 200
    tab = reverse("api:tab_dialogs", args=["mine"])
    assert api.get(tab, {"limit": 5}).status_code == 200
    assert api.get(tab, {"page": 2}).status_code == 400
    assert api.get(reverse("api:me"), {"verbose": 1}).status_code == 400
