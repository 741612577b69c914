"""A lead as the apps that send it elsewhere describe it (crm's export payload, webhooks'
`lead.created`): one shape, written once (docs/crm.md, docs/webhooks.md)."""


def lead_data(lead) -> dict:
    """lead.site must be loaded (select_related) or it costs a query."""
    return {
        "id": lead.id,
        "source": lead.source,
        "name": lead.name,
        "email": lead.email,
        "phone": lead.phone,
        "message": lead.message,
        "page_url": lead.page_url,
        "site": {"id": lead.site_id, "name": lead.site.name},
        "created_at": lead.created_at.isoformat() if lead.created_at else None,
    }
