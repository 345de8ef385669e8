"""Ingest endpoints for this domain's records (token per source system; idempotent upsert by record id)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["monitoring"])
