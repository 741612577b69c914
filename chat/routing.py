from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from chat import consumers

websocket_urlpatterns = [
    # The widget's socket checks the Origin against the site's domains itself
    # (chat/origins.py): its pages live on the customer's hosts, not only on ours.
    path("ws/visitor/<str:site_key>/", consumers.VisitorConsumer.as_asgi()),
    path("ws/console/", AllowedHostsOriginValidator(consumers.OperatorConsumer.as_asgi())),
]
