"""Changes to a site's invitation rules from the console (the admin saves its own)."""

from django.db import transaction

from chat.models import Site
from engage.rule_models import InvitationRule


@transaction.atomic
def create_rule(*, site: Site, **fields) -> InvitationRule:
    return InvitationRule.objects.create(site=site, **fields)


@transaction.atomic
def update_rule(*, rule: InvitationRule, **fields) -> InvitationRule:
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    return rule


@transaction.atomic
def set_paused(*, rule: InvitationRule, paused: bool) -> InvitationRule:
    rule.paused = paused
    rule.save(update_fields=["paused"])
    return rule


@transaction.atomic
def delete_rule(*, rule: InvitationRule) -> None:
    rule.delete()
