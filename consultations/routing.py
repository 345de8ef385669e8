from django.urls import path

from consultations.consumers import DraftCountsConsumer

websocket_urlpatterns = [
    path("ws/drafts/<int:draft_id>/", DraftCountsConsumer.as_asgi()),
]
