"""What push hears from chat (which never imports push): Django's post_save of dialogs and
messages, and chat.hooks.dialogs_offered. Each queues a task once the change is committed,
and only when VAPID keys are configured."""

from django.db import transaction

from chat.models import Message
from push import services, tasks


def dialog_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw and services.enabled():
        transaction.on_commit(lambda: tasks.push_new_dialog.delay(instance.id))


def message_saved(sender, instance, created, raw=False, **kwargs):
    if (
        created
        and not raw
        and instance.author_kind == Message.Author.VISITOR
        and services.enabled()
    ):
        transaction.on_commit(lambda: tasks.push_visitor_message.delay(instance.id))


def dialogs_offered(*, dialogs, operator_ids, **kwargs):
    if services.enabled():
        tasks.push_offers.delay([dialog.id for dialog in dialogs])
