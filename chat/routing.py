from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from chat.realtime.console_auth import ConsoleAuthMiddlewareStack
from chat.realtime.consumers.operator import OperatorConsumer
from chat.realtime.consumers.visitor import VisitorConsumer

websocket_urlpatterns = [
    # The widget's socket checks the Origin against the site's domains itself
    # (chat/visitors/origins.py): its pages live on the customer's hosts, not only on ours.
    # No session middleware either: a visitor has no login, and its user lookup ran on
    # Django's one shared thread before the handshake could be accepted, behind every
    # sync view (the widget pages of a storm of visitors, docs/performance.md).
    path("ws/visitor/<str:site_key>/", VisitorConsumer.as_asgi()),
    path(
        "ws/console/",
        # The session's user is resolved by the consumer after the handshake is accepted
        # (chat/realtime/console_auth.py): a storm of consoles is not dropped at 5 s.
        AllowedHostsOriginValidator(ConsoleAuthMiddlewareStack(OperatorConsumer.as_asgi())),
    ),
]
