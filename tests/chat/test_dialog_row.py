"""The tab list's row (payloads.dialog_row_html): Python since the fourth performance round,
it must give exactly what its template gave, in every state, language and time zone."""

import datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

from chat.messaging import payloads, posting
from chat.models import Dialog
from chat.visitors import sessions

pytestmark = pytest.mark.django_db

# templates/chat/_dialog_row.html as it was, the reference ("waiting" since issue 13: only
# while the visitor's last message is unanswered; plus the row's version, which the
# console's catch-up compares: chat/console/catchup.py).
TEMPLATE_ROW = """{% load i18n chat_tags %}<li class="row row-{{ dialog.status }}{% if dialog.unread_count %} row-unread{% endif %}" data-dialog="{{ dialog.id }}" data-sort="{{ dialog.last_message_at|date:'U' }}" data-v="{{ version }}"{% if dialog.is_open and dialog.last_message_author == "visitor" %} data-waiting="{{ dialog.waiting_since|default:dialog.last_message_at|date:'U' }}"{% endif %}{% if dialog.status == "new" and not dialog.read_up_to %} data-unopened data-alert-every="{{ dialog.site.alert_repeat_seconds }}"{% endif %}>
  <a class="row-link" href="{% url 'console:dialog' dialog.id %}">
    {{ dialog.visitor|avatar }}
    <span class="row-main">
      <span class="row-top">
        <span class="row-name">{{ dialog.visitor.display_name }}</span>
        <time class="row-time" datetime="{{ dialog.last_message_at|date:'c' }}" data-fmt="time">{{ dialog.last_message_at|time:"H:i" }}</time>
      </span>
      <span class="row-bottom">
        <span class="row-preview">{% if dialog.last_message_author == "operator" %}↪ {% endif %}{{ dialog.last_message_text|truncatechars:80 }}</span>
        {% if dialog.unread_count %}<span class="badge" title="{% translate 'Unanswered messages' %}">{{ dialog.unread_count }}</span>{% endif %}
      </span>
      <span class="row-meta">#{{ dialog.number }} · {{ dialog.site.name }}{% if dialog.status == "new" %} · <span class="status-new">{% translate "new" %}</span>{% elif dialog.status == "missed" %} · <span class="status-missed">{% translate "missed" %}</span>{% endif %}{% if dialog.offered_at and dialog.status == "new" %} · <span class="row-offered">{% translate "offered to all" %}</span>{% endif %}<span class="row-waiting" hidden></span></span>
    </span>
  </a>
</li>
"""  # noqa: E501

AT = datetime.datetime(2026, 11, 25, 21, 5, 9, tzinfo=datetime.UTC)


def variants(dialog):
    """The row's states: each changes the markup somewhere."""
    yield {}
    yield {"unread_count": 3, "waiting_since": AT, "offered_at": AT}
    yield {"status": Dialog.Status.NEW, "read_up_to": 7}
    yield {"status": Dialog.Status.ACTIVE, "last_message_author": "operator", "unread_count": 0}
    yield {"status": Dialog.Status.MISSED, "waiting_since": AT}
    yield {"status": Dialog.Status.CLOSED, "waiting_since": AT}
    yield {"last_message_text": "<b>Tom & Jerry</b> " + "long " * 30}
    yield {"visitor.name": '<script>alert("x")</script>', "site.name": "Shop & Co"}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Vladivostok"])
def test_the_python_row_is_the_template_row(site, language, zone):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="r-1", text="Hi"
    )
    template = engines["django"].from_string(TEMPLATE_ROW)
    seen = set()
    for changes in variants(message.dialog):
        dialog = Dialog.objects.select_related("site", "visitor").get(pk=message.dialog_id)
        dialog.last_message_at = AT
        for name, value in changes.items():
            owner = dialog
            if "." in name:
                relation, name = name.split(".")
                owner = getattr(dialog, relation)
            setattr(owner, name, value)
        with translation.override(language), timezone.override(zone):
            context = {"dialog": dialog, "version": payloads.row_version(dialog)}
            expected = template.render(context)
            assert payloads.dialog_row_html(dialog) == expected, changes
        seen.add(expected)
    assert len(seen) == 8  # every variant rendered differently


def test_the_version_changes_with_the_markup_and_only_with_it(site):
    """The console asks again only for rows whose version changed: every change a person
    would see in the row changes it, in whatever language or zone the row is shown."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="r-1", text="Hi"
    )
    more_changes = [
        {"last_message_at": AT + datetime.timedelta(seconds=1)},
        {"number": 99},
        {"visitor.animal": "koala" if message.dialog.visitor.animal != "koala" else "fox"},
        {"status": Dialog.Status.NEW, "offered_at": AT},
        {"site.alert_repeat_seconds": 120},
    ]
    versions = {}
    for changes in [*variants(message.dialog), *more_changes]:
        dialog = Dialog.objects.select_related("site", "visitor").get(pk=message.dialog_id)
        dialog.last_message_at = AT
        for name, value in changes.items():
            owner = dialog
            if "." in name:
                relation, name = name.split(".")
                owner = getattr(dialog, relation)
            setattr(owner, name, value)
        seen = set()
        for language in ("en", "ru"):
            for zone in ("UTC", "Asia/Vladivostok"):
                with translation.override(language), timezone.override(zone):
                    seen.add(payloads.row_version(dialog))
        assert len(seen) == 1, changes  # the same whatever the language and zone
        versions[seen.pop()] = changes
    assert len(versions) == len(list(variants(message.dialog))) + len(more_changes)
