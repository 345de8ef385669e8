"""Development: `make run`. Embedded defaults, debug on, console e-mail."""

from config.env import ENV

from .base import *  # noqa: F403

DEBUG = ENV.debug if ENV.secret_key else True
SECRET_KEY = ENV.secret_key or "dev-only-not-secret-sunshine-key-change-me-in-production-0123456789"
# A fixed development key so demo data decrypts across restarts. Never used in production.
FIELD_ENCRYPTION_KEY = ENV.field_encryption_key or "ZGV2LW9ubHktc3Vuc2hpbmUtZmllbGQta2V5LTAwMDA="
# The demo lets inspectors in with a password alone unless STAFF_MFA_REQUIRED is set; production requires a second factor.
STAFF_MFA_REQUIRED = False if ENV.staff_mfa_required is None else ENV.staff_mfa_required
# `make run` runs the periodic jobs in the server process: its in-memory channel layer reaches the browsers.
SCHEDULER_AUTOSTART = True
