from django.urls import path

from chat import consumers

websocket_urlpatterns = [
    path("ws/visitor/<str:site_key>/", consumers.VisitorConsumer.as_asgi()),
    path("ws/console/", consumers.OperatorConsumer.as_asgi()),
]
