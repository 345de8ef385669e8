"""The production server: gunicorn managing Uvicorn workers (ASGI: HTTP and WebSockets).

    gunicorn -c site/config/gunicorn.conf.py config.asgi:application

One worker process per core by default (WEB_CONCURRENCY), so serving uses every core; the
workers share nothing but PostgreSQL, Redis (cache, rate limits, the Channels layer) and
Elasticsearch, so more machines scale the same way behind a load balancer.

No access log, and the error log at WARNING: an access line (or Uvicorn's INFO lines about
WebSocket connections) would record each visitor's address and the time of each request,
which on the report pages identifies a reporter. Client addresses are never read from
X-Forwarded-For here: Django does that itself, only from TRUSTED_PROXIES (core.clientip).
"""

import multiprocessing
import os

wsgi_app = "config.asgi:application"
pythonpath = "site,."
bind = [os.environ.get("BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "config.workers.PrivateUvicornWorker"
# Leave time for a slow export or clustering page; the queue handles long work.
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

accesslog = None
disable_redirect_access_to_syslog = True
errorlog = "-"
loglevel = "warning"
# Gunicorn's own handling of forwarded headers stays off (Django decides whom to trust).
forwarded_allow_ips = ""
proxy_allow_ips = ""
