"""WebSocket routes. Each app adds its consumers to this list."""

from django.urls import path

from consultations.routing import websocket_urlpatterns as consultation_routes
from core.consumers import LiveEventsConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveEventsConsumer.as_asgi()),
    *consultation_routes,
]
