"""The tags app fills chat's extension points; chat never imports it."""

import re
from pathlib import Path

from django.conf import settings

from chat.console import history_columns, row_parts

CHAT = Path(settings.BASE_DIR) / "chat"


def test_the_tags_column_and_row_part_are_registered():
    assert "tag" in [c.name for c in history_columns.columns()]
    assert "tags" in [p.name for p in row_parts.parts()]


def test_chat_never_imports_tags():
    pattern = re.compile(r"^\s*(from|import)\s+tags\b", re.M)
    offenders = [
        str(path.relative_to(CHAT))
        for path in CHAT.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_batch_loads_the_row_parts_in_one_query(
    make_dialog, site, vip, put, django_assert_num_queries
):
    from chat.models import Dialog

    dialogs = [make_dialog(site) for _ in range(4)]
    for dialog in dialogs:
        put(dialog, vip)
    fresh = list(Dialog.objects.filter(pk__in=[d.pk for d in dialogs]))
    # One per part (tags, channel); none for mailchannel's "email": a widget dialog (one
    # with its visit) was not opened by an e-mail (mailchannel/rows.py).
    reading = [p for p in row_parts.parts() if p.name != "email"]
    assert len(reading) == len(row_parts.parts()) - 1
    with django_assert_num_queries(len(reading)):
        row_parts.load(fresh)
    with django_assert_num_queries(0):
        html = {(p.name, d.pk): p.html(d) for d in fresh for p in row_parts.parts()}
    assert all(html[("tags", d.pk)] for d in fresh)
    with django_assert_num_queries(0):
        row_parts.load([])
