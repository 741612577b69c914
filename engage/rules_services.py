"""Changes to a site's invitation rules from the console; each drops the site's cached
rules (the admin does the same in rules_admin.py)."""

from django.db import transaction

from chat.models import Site
from engage import rules
from engage.rule_models import InvitationRule


@transaction.atomic
def create_rule(*, site: Site, **fields) -> InvitationRule:
    rules.forget_site_rules(site.id)
    return InvitationRule.objects.create(site=site, **fields)


@transaction.atomic
def update_rule(*, rule: InvitationRule, **fields) -> InvitationRule:
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.save()
    rules.forget_site_rules(rule.site_id)
    return rule


@transaction.atomic
def set_paused(*, rule: InvitationRule, paused: bool) -> InvitationRule:
    rule.paused = paused
    rule.save(update_fields=["paused"])
    rules.forget_site_rules(rule.site_id)
    return rule


@transaction.atomic
def delete_rule(*, rule: InvitationRule) -> None:
    rules.forget_site_rules(rule.site_id)
    rule.delete()
