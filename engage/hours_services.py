"""Business hours: the reads of the settings pages and the one change, saving a site's
hours from the editor (docs/engagement.md, "Business hours")."""

from django.db import transaction
from django.http import Http404

from chat.models import Site
from engage import hours_schedule, hours_widget
from engage.models import SiteHours
from operators.models import Operator


def settings_sites(operator: Operator):
    """The sites whose settings the operator manages: his account's sites he serves,
    and only with can_manage_site_settings (none otherwise). One query."""
    if not operator.can_manage_site_settings:
        return Site.objects.none()
    return operator.sites.filter(account_id=operator.account_id).order_by("name")


def settings_site_or_404(operator: Operator, site_id: int) -> Site:
    site = settings_sites(operator).filter(pk=site_id).first()
    if site is None:
        raise Http404
    return site


def hours_of(site: Site) -> SiteHours:
    """The site's hours row, unsaved when it has none yet (always open)."""
    return SiteHours.objects.filter(site=site).first() or SiteHours(site=site)


def save_hours(*, hours_form, weekly_formset, special_formset) -> SiteHours:
    """Save the editor's valid forms in one transaction; the site's cached schedule is
    dropped once it commits."""
    with transaction.atomic():
        hours = hours_form.save()
        for formset in (weekly_formset, special_formset):
            formset.instance = hours
            formset.save()
        hours_changed(hours.site_id)
    return hours


def hours_changed(site_id: int) -> None:
    """Once the change commits: the cached schedule goes, and the site's open widgets
    hear the new hours (hours_widget.announce)."""

    def after_commit():
        hours_schedule.forget(site_id)
        hours_widget.announce(site_id)

    transaction.on_commit(after_commit)
