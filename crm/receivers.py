"""Receivers of chat.hooks (connected in CrmConfig.ready): automatic exports."""

from crm import services


def dialog_ended(*, dialog, **_):
    services.on_dialog_ended(dialog)


def lead_created(*, lead, **_):
    services.on_lead_created(lead)


def dialog_rated(*, rating, **_):
    services.on_dialog_rated(rating.dialog_id)
