"""Settings shared by every environment. Values that vary come from ``config.env``."""

from __future__ import annotations

import dj_database_url

from config.env import BASE_DIR, ENV

SITE_DIR = BASE_DIR / "site"

DEBUG = ENV.debug
# Development and test settings supply their own key; production requires DJANGO_SECRET_KEY.
SECRET_KEY = ENV.secret_key or ""
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
SITE_URL = ENV.site_url
# Proxies whose X-Forwarded-For is believed (addresses or CIDR networks); none by default.
# Rate limits key on the client address that core.clientip derives from it.
TRUSTED_PROXIES = ENV.trusted_proxies

INSTALLED_APPS = [
    # Site-wide apps (site/). `core` before staticfiles: its runserver is daphne's, the ASGI application over HTTP
    # and WebSocket (daphne is not an app here: its AppConfig would import Twisted in every process).
    "accounts",
    "regions",
    "home",
    "core",
    "workdays",
    "participation",
    # Domain apps
    "consultations",
    "petitions",
    "reports",
    "monitoring",
    "monitoring.procurement",
    "monitoring.approvals",
    "search",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.admin_users.StaffUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts: registration with e-mail verification
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Platform
    "channels",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.nocache.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so the others have run (language, user) and wrap its answers; before any view reads the body.
    "core.encoding.StrictUtf8Middleware",
]
# Cases, alerts, identities and entities: never stored by a browser or a proxy (core.nocache), whatever the status.
NO_STORE_URL_PREFIXES = ["/reports/", "/monitoring/", "/petitions/moderation/", "/api/monitoring/"]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or any dj-database-url URL) from DATABASE_URL.
# One connection per request by default (CONN_MAX_AGE=0). Under ASGI each request's synchronous code may run
# on a new thread, and persistent connections are per thread: kept, they pile up until PostgreSQL refuses
# clients (measured with bench.load: "too many clients" at 50 concurrent clients with CONN_MAX_AGE=60).
# Production takes them from a pool per process instead (production.py, DATABASE_POOL).
DATABASES = {"default": dj_database_url.parse(ENV.database_url, conn_max_age=ENV.conn_max_age, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many writers at once on the embedded default: write-ahead logging lets readers go on while one
    # writes, IMMEDIATE transactions take the write lock up front (no deadlock when two transactions
    # that both read first then try to write), and waiting writers queue for up to 20 s instead of
    # failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and channel layer: Redis when REDIS_URL is set, in-process otherwise.
if ENV.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": ENV.redis_url,
            "KEY_PREFIX": "sunshine",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s timeout by default, as long as the layer's blocking wait for a message
            # (BZPOPMIN, 5 s): idle sockets failed with "Timeout reading" and were closed. Reads may take longer
            # than that wait, never forever (channels_redis#422)
            "CONFIG": {"hosts": [{"address": ENV.redis_url, "socket_timeout": 15}], "prefix": "sunshine"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work: one mechanism (django-tasks). Immediate by default; a database
# queue drained by `manage.py db_worker` in production (TASK_BACKEND=database).
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[ENV.task_backend]}}

# Periodic jobs (core.schedule, core.scheduler): inside the development server when on (dev.py: `make run` needs no
# second process); production runs `manage.py run_scheduler` as a service of its own, tests run jobs themselves.
SCHEDULER_AUTOSTART = False

# Search: the platform's own search backend, chosen by dotted path. The embedded
# database backend by default, Elasticsearch when ELASTICSEARCH_URL is set.
SEARCH_BACKEND = {
    "BACKEND": (
        "search.backends.elasticsearch.ElasticsearchBackend"
        if ENV.elasticsearch_url
        else "search.backends.database.DatabaseBackend"
    ),
    "URL": ENV.elasticsearch_url,
    "INDEX_PREFIX": "sunshine",
}
# Wagtail's page search: its database backend with Chinese segmentation on both sides.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.wagtail_backend"}}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend behind one throttle for every login page (admin, Wagtail, allauth).
    "accounts.throttle.ThrottledModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[阳光] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # mails carry the site name, not the request host
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}

# Staff who handle reports and alerts sign in with a second factor (TOTP, recovery codes).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "阳光 Sunshine"
STAFF_MFA_REQUIRED = True if ENV.staff_mfa_required is None else ENV.staff_mfa_required

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise.
DEFAULT_FROM_EMAIL = ENV.default_from_email
if ENV.email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ENV.email_host
    EMAIL_PORT = ENV.email_port
    EMAIL_HOST_USER = ENV.email_host_user
    EMAIL_HOST_PASSWORD = ENV.email_host_password
    EMAIL_USE_TLS = ENV.email_use_tls
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Identity fields of reports are encrypted with this key (Fernet, urlsafe base64).
FIELD_ENCRYPTION_KEY = ENV.field_encryption_key

# Internationalisation: Chinese first, English through Django i18n.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = ENV.static_root
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Files that must never be public (report attachments) live outside MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "private"
# Open-data files (a draft's published comments), written by a task, served by a view.
OPEN_DATA_ROOT = BASE_DIR / "var" / "opendata"
# A draft's comments export is sent within the request up to this many comments (423,719 take about 45 s);
# a larger draft's is written to a file by a task (consultations.exports), kept EXPORT_FILE_DAYS days.
EXPORT_STREAM_LIMIT = 200_000
EXPORT_FILE_DAYS = 7
# Processes a full clustering run of a large draft (20,000 distinct comments or more) spreads its articles'
# groupings over: one per core it may use, at most 4, by default (search.clustering.plan).
CLUSTERING_PROCESSES = ENV.clustering_processes
# The CJK TrueType font embedded in report PDFs (Debian's fonts-wqy-microhei, installed by .ci/run
# and the Dockerfile); a .ttc collection takes the index of the face to use.
REPORT_PDF_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
REPORT_PDF_FONT_INDEX = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Wagtail
WAGTAIL_SITE_NAME = "阳光 Sunshine"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.StaffLoginForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# Security headers. The admin (Wagtail) and the API docs ship inline scripts, so
# they are excluded from the strict policy; every public page gets it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# No process the project starts logs a client's address or a line per request (core.logging).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "core.logging.PrivacyFilter"}},
    "formatters": {"private": {"()": "core.logging.PrivacyFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["privacy"], "formatter": "private"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Access logs and the development servers' request lines: never written anywhere.
        **{
            name: {"handlers": ["null"], "level": "CRITICAL", "propagate": False}
            for name in (
                "daphne.access",
                "django.server",
                "django.channels.server",
                "uvicorn.access",
                "gunicorn.access",
            )
        },
        # Django's default handlers would print request warnings unfiltered: route them through ours.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The production server's own messages go through the same filter; its INFO lines name clients.
        "uvicorn.error": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},  # a line per run otherwise; core.scheduler logs failures
        "wagtail": {"level": "WARNING"},
        # One line per request to the search server: too much at INFO.
        "elastic_transport": {"level": "WARNING"},
    },
}
