"""The land domain: 供地结果 records (records.py), their model (models.py), rules (rules.py), the pipeline's
adapter (adapter.py), its services (services.py: ingest, batch re-evaluation) and ingest endpoint (api.py)."""
