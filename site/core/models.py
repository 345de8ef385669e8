"""The kernel's own rows: the scheduler's runs and the live events kept for sockets that connect later."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """One row per periodic job: who holds it now (a lease, so two processes never run it at once) and how
    its last run went."""

    name = models.CharField(max_length=100, primary_key=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=64, blank=True)
    last_started = models.DateTimeField(null=True, blank=True)
    last_finished = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class LiveEvent(models.Model):
    """A live event as it was published, so a socket that connects is shown the latest ones it may see.

    `groups` holds the groups it went to, space-separated with a space at both ends (" region.130000 user.7 "),
    so "sent to this group" is one `contains` on every database. Pruned by the `core.prune_live_events` job.
    """

    event_type = models.CharField(max_length=60)
    groups = models.TextField()
    payload = models.JSONField(encoder=DjangoJSONEncoder, default=dict)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Pushed to the groups yet? Stored unsent in the writer's transaction; `core.events.deliver_live_events`
    # sends every unsent event in one run, however many were stored while it waited.
    sent = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["id"], condition=models.Q(sent=False), name="core_liveevent_unsent")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.at:%Y-%m-%d %H:%M}"
