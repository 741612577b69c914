"""The visitor behind a messenger user: one per (channel, user), created at his first
message, named after his messenger profile."""

from django.db import IntegrityError, transaction

from chat.models import Visitor
from chat.visitors import animals
from messengers import row_cache
from messengers.models import Bot, Contact


def visitor_for(bot: Bot, *, user_id: str, handle: str = "", name: str = "") -> int:
    """The visitor id of this messenger user, created if he is new; his handle and name
    follow his profile."""
    contact = Contact.objects.filter(bot=bot, user_id=user_id).first()
    if contact is None:
        try:
            with transaction.atomic():
                visitor = Visitor(site_id=bot.site_id, name=name[:200])
                visitor.animal = animals.animal_for(visitor.token)
                visitor.save(force_insert=True)
                contact = Contact.objects.create(
                    visitor=visitor, bot=bot, user_id=user_id, handle=handle[:100]
                )
                row_cache.forget_on_commit([visitor.id])
        except IntegrityError:  # the same user's other update created him meanwhile
            contact = Contact.objects.get(bot=bot, user_id=user_id)
    elif handle and contact.handle != handle[:100]:
        Contact.objects.filter(pk=contact.pk).update(handle=handle[:100])
        row_cache.forget_on_commit([contact.visitor_id])
    return contact.visitor_id


def link_visitor(bot: Bot, *, visitor_id: int, user_id: str, handle: str = "") -> bool:
    """`/start <payload>`: the widget's visitor continues in Telegram. False when that
    visitor already writes from a messenger, or this user is already someone else."""
    if Contact.objects.filter(bot=bot, user_id=user_id).exists():
        return False
    if not Visitor.objects.filter(pk=visitor_id, site_id=bot.site_id).exists():
        return False
    try:
        with transaction.atomic():
            Contact.objects.create(
                visitor_id=visitor_id, bot=bot, user_id=user_id, handle=handle[:100]
            )
            row_cache.forget_on_commit([visitor_id])
    except IntegrityError:
        return False
    return True
