"""Reads of the console's Invitations pages: the sites an operator may set up, a rule of
them, and the rules with their figures over a period, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from chat.models import Site
from engage.rule_models import InvitationEvent, InvitationRule
from operators.models import Operator

Kind = InvitationEvent.Kind


def manageable_sites(operator: Operator) -> list[Site]:
    """The sites of his account he is assigned to, if he may manage site settings."""
    if not operator.can_manage_site_settings:
        return []
    return list(operator.sites.filter(account_id=operator.account_id).order_by("name", "id"))


def home_site(operator: Operator) -> Site | None:
    """Where his Invitations page opens: his first site (by name) that has rules, else his
    first site; None if he manages none (two queries)."""
    sites = manageable_sites(operator)
    with_rules = set(
        InvitationRule.objects.filter(site__in=sites).values_list("site_id", flat=True)
    )
    return next((site for site in sites if site.id in with_rules), sites[0] if sites else None)


def rule_of(operator: Operator, pk: int) -> InvitationRule | None:
    """One of his manageable sites' rules, else None (the page answers 404): one query."""
    if not operator.can_manage_site_settings:
        return None
    return (
        InvitationRule.objects.filter(
            pk=pk, site__operators=operator, site__account_id=operator.account_id
        )
        .select_related("site")
        .first()
    )


@dataclass
class Figures:
    shown: int
    answered: int
    leads: int

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.shown if self.shown else None

    @property
    def lead_rate(self) -> float | None:
        """Conversion to a lead: invitations shown that ended in a lead."""
        return self.leads / self.shown if self.shown else None


def rules_with_figures(site: Site, start: datetime, end: datetime) -> list[InvitationRule]:
    """The site's rules, highest priority first, each with .figures over [start, end):
    shown, answered, and answered dialogs that brought a lead (leads app). One query."""
    in_period = Q(events__at__gte=start, events__at__lt=end)
    answered = in_period & Q(events__kind=Kind.ANSWERED)
    found = (
        InvitationRule.objects.filter(site=site)
        .select_related("operator__user")
        .annotate(
            shown=Count("events", filter=in_period & Q(events__kind=Kind.SHOWN), distinct=True),
            answered=Count("events", filter=answered, distinct=True),
            leads=Count(
                "events__dialog",
                filter=answered & Q(events__dialog__leads__isnull=False),
                distinct=True,
            ),
        )
    )
    rules = list(found)
    for rule in rules:
        rule.figures = Figures(rule.shown, rule.answered, rule.leads)
    return rules


def totals(rules: list[InvitationRule]) -> Figures:
    return Figures(
        shown=sum(r.figures.shown for r in rules),
        answered=sum(r.figures.answered for r in rules),
        leads=sum(r.figures.leads for r in rules),
    )
