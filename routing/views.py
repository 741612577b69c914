"""Console: Site settings > Routing (docs/routing.md). Thin: reads and the save are in
routing/settings_services.py; the site's access rule is the site settings' own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.views.decorators import operator_required
from engage import hours_services
from routing import settings_services
from routing.forms import CapacitiesForm, RoutingSettingsForm


@operator_required
def site_routing(request, site_id):
    if not request.operator.can_manage_site_settings:
        raise PermissionDenied("This operator may not manage site settings.")
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
    return render(
        request,
        "routing/routing_settings.html",
        {
            "operator": request.operator,
            "tab": "settings",
            "members": chat_selectors.tab_members(request.operator),
            "site": site,
            "settings_section": "routing",
            "form": form,
            "capacities": capacities,
            "routing": routing,
            "operators": operators,
            "queue": settings_services.queued(site),
            "queue_length": settings_services.queue_length(site),
        },
    )
