"""Dialogs whose visitor left end by themselves after their site's minutes without a
message (chat/dialogs/autoclose.py, run by the close_abandoned_dialogs beat task)."""

from datetime import timedelta
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from chat import hooks, tasks
from chat.dialogs import autoclose, lifecycle
from chat.messaging import posting
from chat.models import Dialog, Message, Participant, Site, Visitor
from chat.visitors import sessions
from crm.models import Export, Integration

pytestmark = pytest.mark.django_db

LINE = "The dialog was closed automatically after 30 minutes without messages"


def visitor_wrote(site, text="Hello?"):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text=text
    )
    return Dialog.objects.get(pk=message.dialog_id), session


def leaves(session):
    sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)


def age(dialog, *, gone_for=None, quiet_for=None):
    """Move the clock back: the visitor's last widget closed `gone_for` ago, and every
    message so far (so the dialog's last one too) was written `quiet_for` ago."""
    now = timezone.now()
    if gone_for is not None:
        Visitor.objects.filter(pk=dialog.visitor_id).update(last_seen_at=now - gone_for)
    if quiet_for is not None:
        Message.objects.filter(dialog=dialog).update(created_at=now - quiet_for)
        Dialog.objects.filter(pk=dialog.pk).update(last_message_at=now - quiet_for)


def answered_and_left(site, operator, *, gone_for, quiet_for):
    """Mine's pile: the operator answered, the visitor closed his widget and never came
    back, the dialog stayed active."""
    dialog, session = visitor_wrote(site)
    lifecycle.connect_operator(operator=operator, dialog_id=dialog.id)
    posting.post_operator_message(operator=operator, dialog_id=dialog.id, client_id="o1", text="Hi")
    leaves(session)
    age(dialog, gone_for=gone_for, quiet_for=quiet_for)
    return dialog, session


MINUTES = timedelta(minutes=1)


# --- which dialogs ---------------------------------------------------------------------------


def test_a_dialog_whose_visitor_left_ends_with_a_line_and_moves_to_history(site, alice):
    dialog, _ = answered_and_left(site, alice, gone_for=31 * MINUTES, quiet_for=31 * MINUTES)
    ended = []
    hooks.dialog_ended.connect(receiver := lambda dialog, **_: ended.append(dialog.id))
    try:
        assert autoclose.close_abandoned_dialogs() == [dialog.id]
    finally:
        hooks.dialog_ended.disconnect(receiver)
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    assert dialog.closed_at is not None
    assert dialog.closed_automatically  # the reports count it apart from an operator's end
    last = dialog.messages.last()
    assert (last.author_kind, last.operator, last.text) == ("system", None, LINE)
    assert not Participant.objects.filter(dialog=dialog, left_at__isnull=True).exists()
    assert ended == []  # the hook is sent once the transaction commits, not before


def test_ending_reaches_the_hooks_and_the_crm_export_like_a_manual_end(
    site, alice, django_capture_on_commit_callbacks, httpserver
):
    from config.celery import app

    httpserver.expect_request("/hook").respond_with_json({})
    Integration.objects.create(
        account=site.account,
        name="Webhook",
        kind="webhook",
        settings={"url": httpserver.url_for("/hook"), "secret": "s"},
        export_ended_dialogs=True,
    )
    dialog, _ = answered_and_left(site, alice, gone_for=40 * MINUTES, quiet_for=40 * MINUTES)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the export is delivered here, not by a worker
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.close_abandoned_dialogs() == 1
    finally:
        app.conf.task_always_eager = eager
    export = Export.objects.get()
    assert (export.dialog_id, export.requested_by, export.status) == (dialog.id, None, "sent")
    assert len(httpserver.log) == 1


def test_a_new_dialog_an_operator_answered_and_left_ends_too(site, alice):
    dialog, _ = answered_and_left(site, alice, gone_for=35 * MINUTES, quiet_for=35 * MINUTES)
    lifecycle.leave_dialog(operator=alice, dialog_id=dialog.id)  # back to "new", in Mine
    age(dialog, quiet_for=35 * MINUTES)
    assert Dialog.objects.get(pk=dialog.pk).status == Dialog.Status.NEW
    assert autoclose.close_abandoned_dialogs() == [dialog.id]


def stays_open(site, alice, case):
    if case == "widget still open":
        dialog, _ = visitor_wrote(site)
        age(dialog, gone_for=60 * MINUTES, quiet_for=60 * MINUTES)  # open_sockets is 1
    elif case == "visitor left 29 minutes ago":
        dialog, _ = answered_and_left(site, alice, gone_for=29 * MINUTES, quiet_for=60 * MINUTES)
    elif case == "a message 29 minutes ago":
        dialog, _ = answered_and_left(site, alice, gone_for=60 * MINUTES, quiet_for=29 * MINUTES)
    elif case == "an operator joined a minute ago":
        dialog, session = visitor_wrote(site)
        leaves(session)
        age(dialog, gone_for=60 * MINUTES, quiet_for=60 * MINUTES)
        lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)  # "Alice joined"
    elif case == "auto-close off":
        site.auto_close_minutes = 0
        site.save()
        dialog, _ = answered_and_left(site, alice, gone_for=600 * MINUTES, quiet_for=600 * MINUTES)
    elif case == "missed":
        dialog, session = visitor_wrote(site)
        leaves(session)
        age(dialog, gone_for=60 * MINUTES, quiet_for=60 * MINUTES)
        assert lifecycle.mark_missed() == [dialog.id]
    return dialog


@pytest.mark.parametrize(
    "case",
    [
        "widget still open",
        "visitor left 29 minutes ago",
        "a message 29 minutes ago",
        "an operator joined a minute ago",
        "auto-close off",
        "missed",
    ],
)
def test_a_dialog_stays_open(site, alice, case):
    dialog = stays_open(site, alice, case)
    status = Dialog.objects.get(pk=dialog.pk).status
    lines = dialog.messages.count()
    assert autoclose.close_abandoned_dialogs() == []
    assert Dialog.objects.get(pk=dialog.pk).status == status
    assert dialog.messages.count() == lines


def test_each_site_has_its_own_minutes(make_site, make_operator):
    quick = make_site(auto_close_minutes=10)
    slow = make_site(account=quick.account, auto_close_minutes=60)
    anna = make_operator(sites=[quick, slow])
    closes, _ = answered_and_left(quick, anna, gone_for=20 * MINUTES, quiet_for=20 * MINUTES)
    waits, _ = answered_and_left(slow, anna, gone_for=20 * MINUTES, quiet_for=20 * MINUTES)
    assert autoclose.close_abandoned_dialogs() == [closes.id]
    assert closes.messages.last().text == (
        "The dialog was closed automatically after 10 minutes without messages"
    )
    assert Dialog.objects.get(pk=waits.pk).is_open


@pytest.mark.parametrize(
    ("minutes", "line"),
    [
        (1, "Диалог завершён автоматически после 1 минуты без сообщений"),
        (21, "Диалог завершён автоматически после 21 минуты без сообщений"),
        (3, "Диалог завершён автоматически после 3 минут без сообщений"),
        (30, "Диалог завершён автоматически после 30 минут без сообщений"),
    ],
)
def test_the_line_is_in_the_widgets_language(make_site, make_operator, minutes, line):
    site = make_site(language="ru", auto_close_minutes=minutes)
    anna = make_operator(sites=[site])
    gone = (minutes + 1) * MINUTES
    dialog, _ = answered_and_left(site, anna, gone_for=gone, quiet_for=gone)
    autoclose.close_abandoned_dialogs()
    assert dialog.messages.last().text == line


def test_the_setting_is_in_the_admin_with_its_help(admin_client, site):
    page = admin_client.get(f"/admin/chat/site/{site.pk}/change/").content.decode()
    assert 'name="auto_close_minutes" value="30"' in page
    assert "Ending dialogs automatically" in page
    assert "0: never." in page
    response = admin_client.get(
        f"/admin/chat/site/{site.pk}/change/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Автоматическое завершение диалогов" in response


# --- the task ------------------------------------------------------------------------------


def test_the_task_is_idempotent(site, alice, django_capture_on_commit_callbacks):
    dialog, _ = answered_and_left(site, alice, gone_for=31 * MINUTES, quiet_for=31 * MINUTES)
    assert tasks.close_abandoned_dialogs() == 1
    with django_capture_on_commit_callbacks() as callbacks:
        assert tasks.close_abandoned_dialogs() == 0
    assert callbacks == []  # nothing announced twice
    assert dialog.messages.filter(text=LINE).count() == 1


def test_the_task_runs_on_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["close-abandoned-dialogs"]
    assert schedule["task"] == "chat.tasks.close_abandoned_dialogs"
    assert schedule["schedule"] <= 60


@pytest.mark.parametrize("count", [0, 1, 3])
def test_queries_two_plus_three_per_dialog_closed(
    make_site, make_operator, django_assert_num_queries, count
):
    """2 queries (lock, read again under the locks), 1 for each other app's part of the
    rows (the tags, the messenger channel: chat/console/row_parts.py), 3 per dialog
    (participants leave, the dialog's status, the line); with nothing to close, 1. Inside
    the test's own transaction the service's is a savepoint: 2 statements more."""
    site = make_site()
    anna = make_operator(sites=[site])
    for _ in range(count):
        answered_and_left(site, anna, gone_for=31 * MINUTES, quiet_for=31 * MINUTES)
    answered_and_left(site, anna, gone_for=5 * MINUTES, quiet_for=5 * MINUTES)  # stays
    with django_assert_num_queries(2 + (4 + 3 * count if count else 1)):
        assert len(autoclose.close_abandoned_dialogs()) == count


# --- live ----------------------------------------------------------------------------------


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Bob", sites=[site], can_see_others=True)


@pytest.mark.django_db(transaction=True)
async def test_the_row_leaves_every_console_live(sockets, site, alice, bob):
    dialog, _ = await database_sync_to_async(answered_and_left)(
        site, alice, gone_for=31 * MINUTES, quiet_for=31 * MINUTES
    )
    mine, _ = await sockets.operator(alice)  # in her Mine tab, the dialog page open
    await mine.send_json_to({"type": "watch", "dialog": dialog.id})
    assert await mine.receive_json_from() == {"type": "watching", "dialog": dialog.id}
    others, _ = await sockets.operator(bob)  # in his Others tab

    assert await database_sync_to_async(tasks.close_abandoned_dialogs)() == 1

    got = await sockets.expect(mine, "message", "row", "dialog", "row")
    assert got["message"][0]["message"]["text"] == LINE
    assert got["dialog"][0]["dialog"]["status"] == "closed"
    for row in got["row"]:
        assert (row["dialog"], row["tab"], row["html"]) == (dialog.id, None, None)
    rows = await sockets.expect(others, "row", "row")
    for row in rows["row"]:
        assert (row["dialog"], row["tab"], row["html"]) == (dialog.id, None, None)
    await sockets.silent(mine, others)


def test_the_demo_sites_set_it():
    call_command("seed_demo", stdout=StringIO())
    minutes = dict(Site.objects.values_list("widget_key", "auto_close_minutes"))
    assert minutes == {"demo-shop-key": 30, "demo-blog-key": 10}


def test_more_than_a_week_is_refused(site):
    site.auto_close_minutes = 7 * 24 * 60 + 1
    with pytest.raises(ValidationError) as refused:
        site.full_clean()
    assert "auto_close_minutes" in refused.value.message_dict
