"""The periodic tasks Celery beat sends (config/settings.py imports this module; each
interval can be set in the environment, docs/operations.md). One beat runs across hosts:
config/settings_storage.py."""

import environ

env = environ.Env()

CELERY_BEAT_SCHEDULE = {
    "detect-missed-dialogs": {
        "task": "chat.tasks.detect_missed_dialogs",
        "schedule": float(env.int("CHAT_MISSED_CHECK_SECONDS", default=30)),
    },
    # Dialogs whose visitor left, ended after their site's auto_close_minutes
    # (chat/dialogs/autoclose.py)
    "close-abandoned-dialogs": {
        "task": "chat.tasks.close_abandoned_dialogs",
        "schedule": float(env.int("CHAT_AUTO_CLOSE_CHECK_SECONDS", default=60)),
    },
    # New dialogs nobody opened, offered to every online operator (chat/dialogs/offers.py)
    "offer-waiting-dialogs": {
        "task": "chat.tasks.offer_waiting_dialogs",
        "schedule": float(env.int("CHAT_OFFER_CHECK_SECONDS", default=10)),
    },
    # Auto-assignment: answer timeouts, operators gone offline, queues (routing/tasks.py)
    "route-dialogs": {
        "task": "routing.tasks.route_dialogs",
        "schedule": float(env.int("ROUTING_CHECK_SECONDS", default=5)),
    },
    "refresh-operator-presence": {
        "task": "chat.tasks.refresh_presence",
        "schedule": 20.0,
    },
    # CRM exports whose task was lost (docs/crm.md)
    "requeue-stale-crm-exports": {
        "task": "crm.tasks.requeue_stale_exports",
        "schedule": env.float("CRM_REQUEUE_CHECK_SECONDS", default=60.0),
    },
    # Webhook deliveries whose task was lost (docs/webhooks.md)
    "requeue-stale-webhook-deliveries": {
        "task": "webhooks.tasks.requeue_stale_deliveries",
        "schedule": 60.0,
    },
    # Messenger deliveries and inbound updates whose task was lost (docs/channels.md)
    "requeue-lost-messenger-work": {
        "task": "messengers.tasks.requeue_lost",
        "schedule": 60.0,
    },
    # Reports' per-dialog facts the dialog_ended hook missed (reports/facts.py)
    "refresh-report-facts": {
        "task": "reports.tasks.refresh_report_facts",
        "schedule": env.float("REPORTS_FACTS_CHECK_SECONDS", default=300.0),
    },
    # Each account's retention policy: old dialogs, attachments and leads erased (retention/)
    "apply-retention": {
        "task": "retention.tasks.apply_retention",
        "schedule": env.float("RETENTION_CHECK_SECONDS", default=3600.0),
    },
    # E-mail: the IMAP mailbox polled for replies, lost deliveries queued again (mailchannel/)
    "poll-mail": {
        "task": "mailchannel.tasks.poll_mailbox",
        "schedule": env.float("MAILCHANNEL_IMAP_POLL_SECONDS", default=60.0),
    },
}
