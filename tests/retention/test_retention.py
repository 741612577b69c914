"""Retention: each account's policy erases its old dialogs, messages, files and leads in
small batches, on local disk and in the bucket alike; a dry run counts exactly what is
erased; other accounts and recent or open dialogs are untouched; the admin shows the dry
run and its history records each application."""

import io
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chat.models import Attachment, Dialog, Message
from chat.visitors import sessions
from leads.models import Lead
from reports.models import DialogFacts
from retention import selectors, services, tasks
from retention.models import RetentionPolicy
from tests.object_storage import local_files

OLD = timezone.now() - timedelta(days=400)
RECENT = timezone.now() - timedelta(days=3)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 200)).save(out, "PNG")
    return out.getvalue()


def dialog_with_file(site, *, when, status="closed", words=2):
    """A visitor's dialog: `words` text messages and an image, all sent at `when`."""
    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.9", user_agent="")
    client = Client()
    for number in range(words):
        response = client.post(
            reverse("widget_attachments", args=[site.widget_key]),
            {"client_id": f"v-{number}", "text": "", "file": SimpleUploadedFile("a.png", png())},
            headers={"X-Visitor-Token": session.visitor.token},
        )
        assert response.status_code == 200, response.content
    dialog = Dialog.objects.get(visitor=session.visitor)
    Message.objects.filter(dialog=dialog).update(created_at=when)
    Dialog.objects.filter(pk=dialog.pk).update(
        status=status, last_message_at=when, closed_at=when if status == "closed" else None
    )
    if status == "closed":
        DialogFacts.objects.create(dialog=dialog, closed_at=when, last_message_at=when)
    return dialog


def lead(site, *, when):
    return Lead.objects.create(
        account=site.account,
        site=site,
        source=Lead.Source.OFFLINE_FORM,
        name="Ann",
        created_at=when,
    )


def files_of(**where) -> list[str]:
    """Stored names (files and thumbnails) of the attachments that `where` filters."""
    pairs = Attachment.objects.filter(**where).values_list("file", "thumbnail")
    return sorted(name for pair in pairs for name in pair if name)


def exists(name: str) -> bool:
    return storages["default"].exists(name)


@pytest.fixture(params=["disk", "s3"])
def where(request, settings, tmp_path):
    """Attachments on local disk (MEDIA_ROOT) or in a bucket of the local S3 server."""
    if request.param == "s3":
        return request.getfixturevalue("s3_bucket")
    settings.MEDIA_ROOT = tmp_path / "media"
    return None


@pytest.mark.django_db
def test_the_dry_run_counts_what_is_erased_in_batches_and_the_files_go_too(
    make_site, make_user, where, monkeypatch, django_capture_on_commit_callbacks
):
    site = make_site(name="shop.example")
    other = make_site(name="other.example")
    old = [dialog_with_file(site, when=OLD) for _ in range(3)]
    missed = dialog_with_file(site, when=OLD, status="missed")
    still_open = dialog_with_file(site, when=OLD, status="active")
    recent = dialog_with_file(site, when=RECENT)
    others = dialog_with_file(other, when=OLD)
    old_lead, new_lead, others_lead = (
        lead(site, when=OLD),
        lead(site, when=RECENT),
        lead(other, when=OLD),
    )
    erased_files = files_of(message__dialog__in=[*old, missed])
    kept_files = files_of(message__dialog__in=[others, still_open, recent])
    assert all(exists(name) for name in erased_files + kept_files)
    admin = make_user(username="root")
    policy = RetentionPolicy.objects.create(
        account=site.account, dialogs_days=30, leads_days=30, set_by=admin
    )
    # Another account's policy keeps everything.
    RetentionPolicy.objects.create(account=other.account)

    now = timezone.now()
    expected = selectors.dry_run(policy, now)
    assert expected == selectors.Tally(dialogs=4, messages=8, attachments=8, leads=1)

    batches = []
    erase_rows = services._erase_rows

    def spied(rows):
        batches.append(len(rows))
        return erase_rows(rows)

    monkeypatch.setattr(services, "_erase_rows", spied)
    with django_capture_on_commit_callbacks(execute=True):
        erased = services.apply_policy(policy, now=now, batch_size=3)

    assert erased == expected
    assert batches == [3, 1, 1]  # 4 dialogs by 3, then the one lead
    assert not Dialog.objects.filter(pk__in=[d.pk for d in [*old, missed]]).exists()
    assert not DialogFacts.objects.filter(dialog__in=[d.pk for d in old]).exists()
    assert set(Dialog.objects.filter(site=site)) == {still_open, recent}
    assert set(Lead.objects.all()) == {new_lead, others_lead}
    assert old_lead.pk not in Lead.objects.values_list("pk", flat=True)
    assert not any(exists(name) for name in erased_files)
    assert all(exists(name) for name in kept_files)
    assert Dialog.objects.filter(pk=others.pk).exists()
    assert Message.objects.filter(dialog=others).count() == 2
    if where is not None:
        assert sorted(where.keys()) == sorted(kept_files)
        assert local_files(where.media_root) == []
    # Applied again, nothing is left to erase.
    assert not services.apply_policy(policy, batch_size=3)

    entry = LogEntry.objects.get(object_id=str(policy.pk))
    assert entry.user == admin
    assert "dialogs: 4, messages: 8, attachments: 8, leads: 1" in entry.change_message


@pytest.mark.django_db
def test_an_attachments_policy_erases_old_files_and_keeps_the_messages(
    make_site, where, django_capture_on_commit_callbacks
):
    site = make_site()
    old = dialog_with_file(site, when=OLD)
    recent = dialog_with_file(site, when=RECENT)
    old_files, recent_files = files_of(message__dialog=old), files_of(message__dialog=recent)
    policy = RetentionPolicy.objects.create(account=site.account, attachments_days=30)

    assert selectors.dry_run(policy, timezone.now()) == selectors.Tally(attachments=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.apply_policy(policy) == selectors.Tally(attachments=2)
    assert Message.objects.filter(dialog=old).count() == 2  # the messages stay
    assert not Attachment.objects.filter(message__dialog=old).exists()
    assert not any(exists(name) for name in old_files)
    assert all(exists(name) for name in recent_files)
    assert not LogEntry.objects.exists()  # nobody set it: no one to name in the history


@pytest.mark.django_db
def test_a_forever_policy_erases_nothing_and_the_beat_task_applies_every_policy(make_site):
    kept, cleaned = make_site(), make_site()
    lead(kept, when=OLD)
    lead(cleaned, when=OLD)
    RetentionPolicy.objects.create(account=kept.account)  # forever
    RetentionPolicy.objects.create(account=cleaned.account, leads_days=1)

    assert tasks.apply_retention() == 1
    assert Lead.objects.filter(site=kept).count() == 1
    assert Lead.objects.filter(site=cleaned).count() == 0
    assert RetentionPolicy.objects.get(account=cleaned.account).last_applied_at is not None


# --- the admin -----------------------------------------------------------------------------


@pytest.fixture
def admin_browser(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_the_admin_shows_the_dry_run_and_records_who_applied_it(
    make_site, admin_browser, admin_user
):
    site = make_site()
    for _ in range(2):
        lead(site, when=OLD)
    dialog_with_file(site, when=OLD)
    policy = RetentionPolicy.objects.create(account=site.account, dialogs_days=30, leads_days=30)

    page = admin_browser.get(reverse("admin:retention_retentionpolicy_change", args=[policy.pk]))
    assert "dialogs: 1, messages: 2, attachments: 2, leads: 2" in page.content.decode()

    changelist = reverse("admin:retention_retentionpolicy_changelist")
    counted = admin_browser.post(
        changelist, {"action": "count_expired", "_selected_action": [policy.pk]}, follow=True
    )
    assert "would erase dialogs: 1, messages: 2, attachments: 2, leads: 2" in (
        counted.content.decode()
    )
    assert Lead.objects.count() == 2  # a dry run erases nothing

    applied = admin_browser.post(
        changelist, {"action": "apply_now", "_selected_action": [policy.pk]}, follow=True
    )
    assert "erased dialogs: 1, messages: 2, attachments: 2, leads: 2" in applied.content.decode()
    assert Lead.objects.count() == 0 and Dialog.objects.count() == 0
    entry = LogEntry.objects.get(object_id=str(policy.pk))
    assert entry.user == admin_user
    history = admin_browser.get(
        reverse("admin:retention_retentionpolicy_history", args=[policy.pk])
    )
    assert "Retention applied" in history.content.decode()


@pytest.mark.django_db
def test_saving_a_policy_in_the_admin_records_who_set_it(make_site, admin_browser, admin_user):
    site = make_site()
    response = admin_browser.post(
        reverse("admin:retention_retentionpolicy_add"),
        {"account": site.account.pk, "dialogs_days": "365", "attachments_days": "",
         "leads_days": "0"},
    )  # fmt: skip
    assert response.status_code == 200  # 0 days is refused: at least 1, or empty for forever
    assert not RetentionPolicy.objects.exists()
    admin_browser.post(
        reverse("admin:retention_retentionpolicy_add"),
        {"account": site.account.pk, "dialogs_days": "365", "attachments_days": "",
         "leads_days": ""},
    )  # fmt: skip
    policy = RetentionPolicy.objects.get()
    assert (policy.dialogs_days, policy.attachments_days, policy.set_by) == (365, None, admin_user)


@pytest.mark.django_db
def test_the_policy_list_costs_the_same_queries_for_one_or_many_policies(
    make_account, admin_browser
):
    url = reverse("admin:retention_retentionpolicy_changelist")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_browser.get(url).status_code == 200
        return len(queries)

    RetentionPolicy.objects.create(account=make_account(), dialogs_days=10)
    one = cost()
    for _ in range(4):
        RetentionPolicy.objects.create(account=make_account(), leads_days=10)
    assert cost() == one
