"""CRM fixtures: a dialog with a transcript, integrations, and Celery run in-process.

Delivery tests talk to a real local HTTP server (pytest-httpserver's `httpserver`)."""

import pytest

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.visitors import sessions
from crm.models import Integration
from leads.models import Lead

UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def eager_celery(settings, celery_in_process):
    """Tasks run in the test process (tests/conftest.py); the one test with a real worker
    (test_worker.py) turns this off."""
    settings.CRM_RETRY_MAX = 3


@pytest.fixture
def make_dialog(alice):
    def make(site, *, operator=alice, text="Hello, I need a quote for 20 chairs"):
        session = sessions.start_visitor_session(
            site=site, token=None, ip="203.0.113.5", user_agent=UA
        )
        visitor = session.visitor
        visitor.name, visitor.email, visitor.phone = "Olga", "olga@example.com", "+79990001122"
        visitor.save(update_fields=["name", "email", "phone"])
        message, _ = posting.post_visitor_message(
            visitor_id=visitor.id, visit_id=session.visit.id, client_id="c1", text=text
        )
        if operator is not None:
            lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
            posting.post_operator_message(
                operator=operator, dialog_id=message.dialog_id, client_id="o1", text="Sure!"
            )
        return message.dialog

    return make


@pytest.fixture
def dialog(make_dialog, site):
    return make_dialog(site)


@pytest.fixture
def make_integration(site):
    def make(kind="webhook", *, account=None, name=None, **fields):
        defaults = {
            "webhook": {"url": "http://127.0.0.1:9/hook", "secret": "s3cret"},
            "bitrix24": {"webhook_url": "http://127.0.0.1:9/rest/1/abc123/"},
            "amocrm": {"base_url": "http://127.0.0.1:9", "token": "long-lived-token"},
        }
        fields.setdefault("settings", defaults[kind])
        return Integration.objects.create(
            account=account or site.account, name=name or f"My {kind}", kind=kind, **fields
        )

    return make


@pytest.fixture
def make_lead(site):
    def make(*, dialog=None, **fields):
        fields.setdefault("name", "Ivan")
        fields.setdefault("email", "ivan@example.com")
        fields.setdefault("phone", "+79995554433")
        fields.setdefault("message", "Call me back, please")
        return Lead.objects.create(
            account=site.account,
            site=site,
            dialog=dialog,
            visitor=dialog.visitor if dialog else None,
            source=Lead.Source.OFFLINE_FORM,
            **fields,
        )

    return make


# --- local CRMs (tests/crm/fake_crm.py) --------------------------------------------------


@pytest.fixture
def bitrix24():
    from tests.crm.fake_crm import FakeBitrix24

    crm = FakeBitrix24().start()
    yield crm
    crm.stop()


@pytest.fixture
def amocrm():
    from tests.crm.fake_crm import FakeAmoCrm

    crm = FakeAmoCrm().start()
    yield crm
    crm.stop()


def pytest_terminal_summary(terminalreporter):
    from tests.crm.fake_crm import DELIVERY_TABLE

    if not DELIVERY_TABLE:
        return
    write = terminalreporter.write_line
    write("")
    write("CRM delivery: failure case | CRM | leads created in the local CRM | contacts | "
          "attempts | HTTP requests | export")  # fmt: skip
    write("|---|---|---|---|---|---|---|")
    for row in DELIVERY_TABLE:
        write("| " + " | ".join(str(cell) for cell in row) + " |")


@pytest.fixture
def countdowns(monkeypatch):
    """The countdown of every self.retry() of deliver_export (eager: retried at once)."""
    from crm.tasks import deliver_export

    seen = []
    task_class = type(deliver_export._get_current_object())
    original = task_class.retry

    def spy(self, *args, **kwargs):
        seen.append(kwargs["countdown"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(task_class, "retry", spy)
    return seen
