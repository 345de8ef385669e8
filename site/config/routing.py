"""WebSocket routes. Each app adds its consumers to this list."""

from django.urls import path

from core.consumers import LiveEventsConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveEventsConsumer.as_asgi()),
]
