"""A site's invitation rules as the widget gets them in hello (docs/protocol.md,
"invitations"): the active rules with their texts filled in for this visitor, and what the
browser cannot know itself (visit number, time on the site, what was shown before). The
widget evaluates them (static/engage/rules-match.js): no server work per page view."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from chat.models import Site
from engage.rule_models import InvitationEvent, InvitationRule

PLACEHOLDERS = ("visitor_name", "operator_name", "site_name")
UNSET = (None, "", "any", [], False)  # a condition with such a value is not checked
HISTORY_LIMIT = 500  # the latest events of a visitor that hello reads (newest first)
CACHE_SECONDS = 300

logger = logging.getLogger(__name__)


def fill_text(text: str, *, visitor_name: str, operator_name: str, site_name: str) -> str:
    """The text with its placeholders filled; an unknown one stays as typed. Plain
    replacement (never str.format): the text is the operator's, not a template language."""
    values = {"visitor_name": visitor_name, "operator_name": operator_name, "site_name": site_name}
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def author_name(rule: InvitationRule, site: Site) -> str:
    """Who the invitation is from: its operator, else the site ({operator_name} too)."""
    return rule.operator.name if rule.operator_id else site.name


def rule_text(rule: InvitationRule, *, visitor_name: str, site: Site) -> str:
    author = author_name(rule, site)
    return fill_text(
        rule.text, visitor_name=visitor_name, operator_name=author, site_name=site.name
    )


def rule_data(rule: InvitationRule, site: Site) -> dict:
    """A rule as the widget evaluates it, its text not filled yet ("template"); empty
    conditions are left out."""
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
        "template": rule.text,
    }


def _cache_key(site_id: int) -> str:
    return f"engage:invitation-rules:{site_id}"


def site_rules(site: Site) -> list[dict]:
    """The site's active rules, highest priority first (rule_data): from the cache, else
    one query. Every change of a rule drops the site's entry (forget_site_rules); an
    operator's or the site's new name shows within CACHE_SECONDS."""
    key = _cache_key(site.id)
    try:
        cached = cache.get(key)
    except Exception:  # the cache (Redis) is down: the database still answers
        logger.warning("invitation rules: cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    active = InvitationRule.objects.filter(site_id=site.id, paused=False)
    rules = [rule_data(rule, site) for rule in active.select_related("operator__user")]
    try:
        cache.set(key, rules, CACHE_SECONDS)
    except Exception:
        logger.warning("invitation rules: cache unavailable", exc_info=True)
    return rules


def forget_site_rules(site_id: int) -> None:
    """Drops the site's cached rules now and again once the change commits (a hello
    between the two may have cached the rules as they were before it)."""

    def forget():
        try:
            cache.delete(_cache_key(site_id))
        except Exception:
            logger.warning("invitation rules: cache unavailable", exc_info=True)

    forget()
    transaction.on_commit(forget)


def hello_part(*, site: Site, session, language: str) -> dict:
    """hello["invitations"]: the site's rules (cached: no query mostly) and, when there are
    some, one query for what this visitor was shown and closed."""
    rules = site_rules(site)
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
    part["rules"] = [
        {
            **{key: value for key, value in rule.items() if key != "template"},
            "text": fill_text(
                rule["template"],
                visitor_name=visitor_name,
                operator_name=rule["author"],
                site_name=site.name,
            ),
        }
        for rule in rules
    ]
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
