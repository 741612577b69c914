"""What push hears from chat (which never imports push): chat's hooks, sent once the
change is committed. Each queues a task, and only when VAPID keys are configured."""

from chat.models import Message
from push import services, tasks


def dialog_opened(*, dialog, **kwargs):
    # Opened while its site was closed (business hours): nobody is due to answer it now.
    if services.enabled() and not dialog.outside_hours:
        tasks.push_new_dialog.delay(dialog.id)


def message_posted(*, message, **kwargs):
    if message.author_kind == Message.Author.VISITOR and services.enabled():
        tasks.push_visitor_message.delay(message.id)


def dialogs_offered(*, dialogs, operator_ids, **kwargs):
    if services.enabled():
        tasks.push_offers.delay([dialog.id for dialog in dialogs])
