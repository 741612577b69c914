"""Console: Site settings > Routing (docs/routing.md). Thin: reads and the save are in
routing/settings_services.py; the site's access rule is the site settings' own."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from engage import hours_services, site_settings
from routing import settings_services
from routing.forms import CapacitiesForm, RoutingSettingsForm


def site_routing(request, site_id):
    """A Site settings section (registered in RoutingConfig.ready(): engage/site_settings.py
    checks login and permission before it)."""
    site = hours_services.settings_site_or_404(request.operator, site_id)
    routing = settings_services.settings_of(site)
    operators = settings_services.site_operators(site)
    data = request.POST if request.method == "POST" else None
    form = RoutingSettingsForm(data, instance=routing, prefix="routing")
    capacities = CapacitiesForm(
        data,
        operators=operators,
        capacities={op.id: settings_services.own_capacity(op) for op in operators},
        prefix="op",
    )
    if data is not None and form.is_valid() and capacities.is_valid():
        settings_services.save_routing(form=form, capacities=capacities.capacities(), site=site)
        messages.success(request, _("Routing saved."))
        return redirect("site_settings:routing", site_id=site.id)
    return site_settings.render_section(
        request,
        "routing/routing_settings.html",
        site=site,
        section="routing",
        form=form,
        capacities=capacities,
        routing=routing,
        operators=operators,
        queue=settings_services.queued(site),
        queue_length=settings_services.queue_length(site),
    )
