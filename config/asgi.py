import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from api.sockets import TokenSockets  # noqa: E402
from chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin checks and session authentication are per route (chat/routing.py); an
        # app's console socket with a bearer token is served by api/sockets.py.
        "websocket": TokenSockets(URLRouter(websocket_urlpatterns)),
    }
)
