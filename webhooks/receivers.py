"""chat's, leads' and satisfaction's hooks (sent on commit) turned into events. Each hook
is connected with a predicate, so nothing is registered on commit while no account
listens to its event; a receiver then only builds the body for an account that listens."""

from chat import hooks
from satisfaction import hooks as satisfaction_hooks
from webhooks import events, payloads, services, subscriptions


def dialog_started(dialog, **_):
    if subscriptions.listens(dialog.account_id, events.DIALOG_STARTED):
        services.emit(dialog.account_id, payloads.dialog_event(events.DIALOG_STARTED, dialog))


def message_created(message, dialog, **_):
    if subscriptions.listens(dialog.account_id, events.MESSAGE_CREATED):
        body = payloads.message_event(events.MESSAGE_CREATED, message, dialog)
        services.emit(dialog.account_id, body)


def dialog_ended(dialog, **_):
    if subscriptions.listens(dialog.account_id, events.DIALOG_ENDED):
        services.emit(dialog.account_id, payloads.dialog_event(events.DIALOG_ENDED, dialog))


def lead_created(lead, **_):
    if subscriptions.listens(lead.account_id, events.LEAD_CREATED):
        services.emit(lead.account_id, payloads.lead_event(events.LEAD_CREATED, lead))


def rating_created(rating, **_):
    account_id = rating.dialog.account_id
    if subscriptions.listens(account_id, events.RATING_CREATED):
        services.emit(account_id, payloads.rating_event(events.RATING_CREATED, rating))


CONNECTIONS = [
    (hooks.dialog_opened, dialog_started, events.DIALOG_STARTED),
    (hooks.message_posted, message_created, events.MESSAGE_CREATED),
    (hooks.dialog_ended, dialog_ended, events.DIALOG_ENDED),
    (hooks.lead_created, lead_created, events.LEAD_CREATED),
    (satisfaction_hooks.dialog_rated, rating_created, events.RATING_CREATED),
]


def visitor_erased(*, visitor_ids, dialog_ids, **_):
    services.forget_visitors(visitor_ids=visitor_ids, dialog_ids=dialog_ids)


def connect() -> None:
    for hook, receiver, event in CONNECTIONS:
        hook.connect(receiver, active=subscriptions.anyone_listens(event))
    hooks.visitor_erased.connect(visitor_erased)
