"""A site's invitation rules as the widget gets them in hello (docs/protocol.md,
"invitations"): the active rules with their texts filled in for this visitor, and what the
browser cannot know itself (visit number, time on the site, what was shown before). The
widget evaluates them (static/engage/invitation-rules.js): no server work per page view."""

from django.utils import timezone
from django.utils.translation import override

from chat.models import Site
from engage.rule_models import InvitationEvent, InvitationRule

PLACEHOLDERS = ("visitor_name", "operator_name", "site_name")
UNSET = (None, "", "any", [], False)  # a condition with such a value is not checked
HISTORY_LIMIT = 500  # the latest events of a visitor that hello reads (newest first)


def fill_text(rule: InvitationRule, *, visitor_name: str, site: Site) -> str:
    """The rule's text with its placeholders filled; an unknown one stays as typed. Plain
    replacement (never str.format): the text is the operator's, not a template."""
    values = {
        "visitor_name": visitor_name,
        "operator_name": rule.operator.name if rule.operator_id else site.name,
        "site_name": site.name,
    }
    text = rule.text
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def author_name(rule: InvitationRule, site: Site) -> str:
    return rule.operator.name if rule.operator_id else site.name


def active_rules(site_id: int) -> list[InvitationRule]:
    """One query: the site's rules that are not paused, highest priority first."""
    active = InvitationRule.objects.filter(site_id=site_id, paused=False)
    return list(active.select_related("operator__user"))


def rule_data(rule: InvitationRule, *, visitor_name: str, site: Site) -> dict:
    """A rule as the widget evaluates it; empty conditions are left out."""
    conditions = {
        "url_match": rule.url_match,
        "url_pattern": rule.url_pattern,
        "seconds_on_page": rule.seconds_on_page,
        "seconds_on_site": rule.seconds_on_site,
        "pages_seen": rule.pages_seen,
        "visit_kind": rule.visit_kind,
        "referrer_contains": rule.referrer_contains,
        "utm_source": rule.utm_source,
        "utm_medium": rule.utm_medium,
        "utm_campaign": rule.utm_campaign,
        "device": rule.device,
        "languages": [code for code in rule.languages.replace(" ", "").split(",") if code],
        "hours": rule.hours,
        "operator_online": rule.needs_operator_online,
    }
    return {
        "id": rule.id,
        "priority": rule.priority,
        "conditions": {key: value for key, value in conditions.items() if value not in UNSET},
        "delay": rule.delay_seconds,
        "frequency": rule.frequency,
        "days": rule.frequency_days,
        "display": rule.display,
        "author": author_name(rule, site),
        "text": fill_text(rule, visitor_name=visitor_name, site=site),
    }


def hello_part(*, site: Site, session, language: str) -> dict:
    """hello["invitations"]: one query for the rules and, when there are some, one for
    what this visitor was shown and closed."""
    rules = active_rules(site.id)
    visit = session.visit
    part = {
        "rules": [],
        "visit_number": session.visitor.visits_count,
        "seconds_on_site": max(0, int((timezone.now() - visit.started_at).total_seconds())),
        "shown_this_visit": [],
        "last_shown": {},
        "closed_this_visit": False,
        "pending": None,  # shown earlier in this visit, not answered nor closed: still there
    }
    if not rules:
        return part
    with override(language):
        visitor_name = session.visitor.display_name
    part["rules"] = [rule_data(rule, visitor_name=visitor_name, site=site) for rule in rules]
    history = list(
        InvitationEvent.objects.filter(visitor_id=session.visitor.id).values_list(
            "rule_id", "kind", "visit_id", "at"
        )[:HISTORY_LIMIT]
    )
    pending = None
    for rule_id, kind, visit_id, at in reversed(history):  # oldest first
        here = visit_id == visit.id
        if kind == InvitationEvent.Kind.SHOWN:
            if here and rule_id not in part["shown_this_visit"]:
                part["shown_this_visit"].append(rule_id)
            part["last_shown"][str(rule_id)] = at.isoformat()
            pending = rule_id if here else pending
        elif here:  # closed, or answered: nothing is waiting any more
            part["closed_this_visit"] |= kind == InvitationEvent.Kind.CLOSED
            pending = None
    in_dialog = session.dialog is not None and session.dialog.is_open
    if pending is not None and not in_dialog and not part["closed_this_visit"]:
        part["pending"] = next((r for r in part["rules"] if r["id"] == pending), None)
    return part
