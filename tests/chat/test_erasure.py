"""Right to be forgotten: the admin's "Erase personal data" action on visitors."""

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chat.console import history
from chat.dialogs import lifecycle
from chat.messaging import posting, uploads
from chat.models import Attachment, Dialog, Message, Visitor
from chat.visitors import erasure, sessions
from leads.models import Lead

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) PrivateBrowser/77.1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def personal(tag: str) -> dict:
    """Strings that identify one visitor, each unique to him."""
    return {
        "name": f"Ivan Secretov {tag}",
        "email": f"ivan.{tag}@private.example",
        "phone": f"+7999000{tag}",
        "ip": f"203.0.113.{tag}",
        "agent": f"{USER_AGENT}-{tag}",
        "page": f"https://shop.example/orders/{tag}-private",
        "title": f"Order of Ivan {tag}",
        "referrer": f"https://mail.example/inbox/{tag}-private",
        "utm": f"newsletter-{tag}-private",
        "said": f"My passport number is {tag}-4510",
        "answer": f"Thanks, passport {tag}-4510 checked",
        "file": f"passport-scan-{tag}",
        "lead": f"Call me about passport {tag}-4510",
    }


def a_visitor_with_history(site, operator, tag: str, *, dialogs: int = 1):
    """A visitor with his visit, `dialogs` closed dialogs (message, answer, file), a lead."""
    data = personal(tag)
    session = sessions.start_visitor_session(
        site=site, token=None, ip=data["ip"], user_agent=data["agent"]
    )
    visitor, visit = session.visitor, session.visit
    Visitor.objects.filter(pk=visitor.pk).update(
        name=data["name"], email=data["email"], phone=data["phone"]
    )
    sessions.record_page(
        visit_id=visit.id,
        url=data["page"],
        title=data["title"],
        referrer=data["referrer"],
        utm={"utm_campaign": data["utm"]},
    )
    for n in range(dialogs):
        message, _ = posting.post_visitor_message(
            visitor_id=visitor.id, visit_id=visit.id, client_id=f"{tag}-{n}", text=data["said"]
        )
        posting.post_visitor_message(
            visitor_id=visitor.id,
            visit_id=visit.id,
            client_id=f"{tag}-{n}-file",
            text="",
            attachment=uploads.prepare(
                SimpleUploadedFile(f"{data['file']}.pdf", PDF, "application/pdf")
            ),
        )
        lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
        posting.post_operator_message(
            operator=operator,
            dialog_id=message.dialog_id,
            client_id=f"o{tag}-{n}",
            text=data["answer"],
        )
        lifecycle.end_dialog(operator=operator, dialog_id=message.dialog_id)
    Lead.objects.create(
        account=site.account,
        site=site,
        visitor=visitor,
        dialog_id=message.dialog_id,
        source=Lead.Source.INTRODUCE,
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        message=data["lead"],
        page_url=data["page"],
        ip=data["ip"],
    )
    return visitor, data


def rows_containing(text: str) -> list[str]:
    """Every row of every model whose text-like column contains the text."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                lookup = {f"{field.attname}__contains": text}
            elif isinstance(field, models.GenericIPAddressField):
                lookup = {field.attname: text} if text.count(".") == 3 else None
            elif isinstance(field, models.JSONField):
                lookup = None
                hits = [
                    pk
                    for pk, value in model.objects.values_list("pk", field.attname)
                    if text in str(value)
                ]
                found += [f"{model.__name__}.{field.name} #{pk}" for pk in hits]
            else:
                lookup = None
            if lookup and model.objects.filter(**lookup).exists():
                found.append(f"{model.__name__}.{field.name}")
    return found


@pytest.fixture
def site(make_site):
    return make_site()


@pytest.fixture
def anna(make_operator, site):
    return make_operator(sites=[site], display_name="Anna")


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


def history_rows(operator):
    page = history.history_page(history.visible_dialogs(operator), 1)
    return sorted((d.number, d.status, d.message_count) for d in page.object_list)


@pytest.mark.django_db
def test_after_erasure_no_personal_string_is_left_anywhere(
    site, anna, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visitor, data = a_visitor_with_history(site, anna, "41", dialogs=2)
    token = visitor.token
    assert len(stored_files(media)) == 2
    for value in data.values():
        assert rows_containing(value), f"the fixture should store {value!r}"

    with django_capture_on_commit_callbacks(execute=True):
        done = erasure.erase_visitors([visitor.id])

    assert (done.visitors, done.dialogs, done.files) == (1, 2, 2)
    for key, value in data.items():
        assert rows_containing(value) == [], f"{key} survived the erasure"
    assert stored_files(media) == []
    assert not Attachment.objects.exists()
    assert not Lead.objects.exists()
    assert not Visitor.objects.filter(token=token).exists()  # the old token opens nothing


@pytest.mark.django_db
def test_dialog_numbers_and_history_counts_stay_the_same(site, anna):
    visitor, _data = a_visitor_with_history(site, anna, "42", dialogs=2)
    before = history_rows(anna)
    messages_before = Message.objects.count()

    erasure.erase_visitors([visitor.id])

    assert history_rows(anna) == before
    assert Message.objects.count() == messages_before
    written = Message.objects.exclude(author_kind=Message.Author.SYSTEM)
    assert set(written.values_list("text", flat=True)) == {"(erased)"}
    assert set(Dialog.objects.values_list("last_message_text", flat=True)) <= {"(erased)", ""}
    # The operators' "joined" and "ended" lines stay: they name operators only.
    assert Message.objects.filter(author_kind=Message.Author.SYSTEM, text__contains="Anna")


@pytest.mark.django_db
def test_other_visitors_are_untouched(site, anna, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erased, _ = a_visitor_with_history(site, anna, "43")
        kept, kept_data = a_visitor_with_history(site, anna, "44")
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_visitors([erased.id])
    for key, value in kept_data.items():
        assert rows_containing(value), f"{key} of another visitor was erased"
    assert len(stored_files(media)) == 1
    assert Lead.objects.get().visitor_id == kept.id


@pytest.mark.django_db
def test_a_failed_erasure_changes_nothing(site, anna, media, monkeypatch):
    visitor, data = a_visitor_with_history(site, anna, "45")
    from leads import receivers

    monkeypatch.setattr(receivers, "Lead", None)  # the leads receiver fails halfway
    with pytest.raises(AttributeError):
        erasure.erase_visitors([visitor.id])
    assert rows_containing(data["said"]) and rows_containing(data["name"])
    assert len(stored_files(media)) == 1


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_visitors_dialogs_or_messages(site, anna):
    one, _ = a_visitor_with_history(site, anna, "46")
    many = [a_visitor_with_history(site, anna, f"5{n}", dialogs=3)[0] for n in range(3)]

    with CaptureQueriesContext(connection) as single:
        erasure.erase_visitors([one.id])
    with CaptureQueriesContext(connection) as several:
        erasure.erase_visitors([visitor.id for visitor in many])
    assert len(several) == len(single)
    assert len(single) <= 20


@pytest.mark.django_db
def test_the_admin_action_asks_first_then_erases_and_records_who_did_it(site, anna, admin_client):
    visitor, data = a_visitor_with_history(site, anna, "47")
    url = reverse("admin:chat_visitor_changelist")
    form = {"action": "erase_personal_data", "_selected_action": [visitor.id]}

    confirm = admin_client.post(url, form)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Erase personal data" in page
    assert "(dialogs: 1, messages: 3)" in page  # his message, his file, Anna's answer
    assert Visitor.objects.get(pk=visitor.id).name == data["name"]  # nothing erased yet

    done = admin_client.post(url, {**form, "post": "yes"})
    assert done.status_code == 302
    assert Visitor.objects.get(pk=visitor.id).name == ""
    entry = LogEntry.objects.get()
    assert entry.user.username == "root"
    assert entry.action_flag == CHANGE
    assert entry.object_id == str(visitor.id)
    assert entry.change_message == "Personal data erased (dialogs: 1, messages: 3, files: 1)."
    assert data["name"] not in entry.object_repr


@pytest.mark.django_db
def test_the_action_needs_the_change_permission(site, anna, make_user):
    visitor, data = a_visitor_with_history(site, anna, "48")
    user = make_user()
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_visitor"))
    client = Client()
    client.force_login(user)
    client.post(
        reverse("admin:chat_visitor_changelist"),
        {"action": "erase_personal_data", "_selected_action": [visitor.id], "post": "yes"},
    )
    assert Visitor.objects.get(pk=visitor.id).name == data["name"]
