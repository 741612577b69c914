"""CRM export state in chat and leads templates without chat or leads importing crm:

{% load crm_tags %}
{% dialog_exports dialog %}                    the dialog's export panel (one query)
{% lead_exports lead %}                        a lead's exports and Send to CRM (one query)
{% lead_export_states leads as crm_states %}   a page of leads (one query) ...
{% lead_export_badge crm_states lead %}        ... then a badge per row (no query)
"""

from django import template

from crm import selectors

register = template.Library()


@register.inclusion_tag("crm/_dialog_exports.html", takes_context=True)
def dialog_exports(context, dialog):
    return {
        "dialog_id": dialog.id,
        "exports": selectors.dialog_exports(dialog.id),
        "csrf_token": context.get("csrf_token", ""),
    }


@register.inclusion_tag("crm/_lead_export.html", takes_context=True)
def lead_exports(context, lead):
    request = context.get("request")
    return {
        "lead": lead,
        "exports": selectors.lead_exports(lead.id),
        "csrf_token": context.get("csrf_token", ""),
        "next": request.get_full_path() if request else "",
    }


@register.simple_tag
def lead_export_states(leads):
    return selectors.lead_export_states(lead.id for lead in leads)


@register.inclusion_tag("crm/_lead_badge.html")
def lead_export_badge(states, lead):
    return {"state": (states or {}).get(lead.id, "")}
