"""Connectors by integration kind. Adding one: a Connector subclass and a line here."""

from crm.connectors.amocrm import AmoCrmConnector
from crm.connectors.base import (
    ConfigError,
    Connector,
    ConnectorError,
    Http,
    HttpRequest,
    Progress,
    TemporaryError,
    encode_body,
)
from crm.connectors.bitrix24 import Bitrix24Connector
from crm.connectors.webhook import WebhookConnector

CONNECTORS: dict[str, type[Connector]] = {
    cls.kind: cls for cls in (WebhookConnector, Bitrix24Connector, AmoCrmConnector)
}


def connector_for(integration) -> Connector:
    try:
        connector = CONNECTORS[integration.kind]
    except KeyError as error:
        raise ConfigError(f"Unknown integration kind {integration.kind!r}.") from error
    return connector(integration.settings, integration_id=integration.pk)


__all__ = [
    "CONNECTORS",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "Http",
    "HttpRequest",
    "Progress",
    "TemporaryError",
    "connector_for",
    "encode_body",
]
