"""Console: Site settings (the sites an operator with can_manage_site_settings manages) and
their Business hours editor. Thin: reads and the save are in hours_services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.views.decorators import operator_required
from engage import hours_services, hours_widget, site_settings
from engage.hours_forms import SiteHoursForm, SpecialDaysFormSet, WeeklyFormSet


def _page(request, template, **context):
    if not request.operator.can_manage_site_settings:
        raise PermissionDenied("This operator may not manage site settings.")
    return site_settings.render_page(request, template, **context)


@operator_required
def site_list(request):
    sites = hours_services.settings_sites(request.operator).select_related("business_hours")
    return _page(request, "engage/hours_sites.html", sites=sites)


def site_hours(request, site_id):
    """Site settings > Business hours (a section: engage/site_settings.py checks login and
    permission before it)."""
    site = hours_services.settings_site_or_404(request.operator, site_id)
    hours = hours_services.hours_of(site)
    data = request.POST if request.method == "POST" else None
    hours_form = SiteHoursForm(data, instance=hours, prefix="hours")
    weekly = WeeklyFormSet(data, instance=hours, prefix="weekly")
    special = SpecialDaysFormSet(data, instance=hours, prefix="special")
    if data is not None and all(f.is_valid() for f in (hours_form, weekly, special)):
        hours_services.save_hours(
            hours_form=hours_form, weekly_formset=weekly, special_formset=special
        )
        messages.success(request, _("Business hours saved."))
        return redirect("site_settings:hours", site_id=site.id)
    now_text = None
    if hours.pk and hours.enabled and data is None:
        part = hours_widget.hours_part(site.id, now=timezone.now())
        if part["open"]:
            now_text = _("Open now.")
        elif part["opens_at_text"]:
            now_text = _("Closed now; opens %(when)s.") % {"when": part["opens_at_text"]}
        else:
            now_text = _("Closed now.")
    return site_settings.render_section(
        request,
        "engage/hours_edit.html",
        site=site,
        section="hours",
        hours_form=hours_form,
        weekly=weekly,
        special=special,
        now_text=now_text,
    )
