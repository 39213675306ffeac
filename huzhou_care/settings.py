"""Settings for the 我们在一起 portal: one file, every value from the environment.

Nothing set      -> SQLite file, Celery tasks run in-process (eager), local-memory cache.
DATABASE_URL     -> that database (PostgreSQL in deployment and in CI).
REDIS_URL        -> Redis as Celery broker, result backend, cache and sessions; run worker
                    and beat. Web nodes then keep no local state (docs/deploy.md).
DATABASE_REPLICA_URL -> a read replica for the dashboards' reads (huzhou_care/replica.py).
DJANGO_S3_BUCKET -> uploads in S3-compatible object storage (MinIO, a cloud's OSS).
DJANGO_DEBUG=0   -> production: DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are required and
                    ``manage.py check --deploy`` is clean. See .env.example for every variable.
"""

import warnings
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from huzhou_care.crypto.devkeys import (
    KeyConfigError,
    development_keys,
    parse_blind_index_key,
    parse_field_keys,
)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-deploy")
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    try:
        SECRET_KEY = env.str("DJANGO_SECRET_KEY")
        ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=0 requires DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS"
        ) from exc
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is empty")

# Field encryption (huzhou_care/crypto): SM4 keys "id:base64,id:base64" (the first encrypts)
# and the HMAC-SM3 blind-index key. Production refuses to start without them; development
# generates its own once into var/dev-field-keys.env (shared by make run, tests, workers).
FIELD_KEYS = env.str("DJANGO_FIELD_KEYS", default="")
BLIND_INDEX_KEY = env.str("DJANGO_BLIND_INDEX_KEY", default="")
if not (FIELD_KEYS and BLIND_INDEX_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=0 requires DJANGO_FIELD_KEYS and DJANGO_BLIND_INDEX_KEY (see .env.example)"
        )
    _dev_keys = development_keys(BASE_DIR / "var" / "dev-field-keys.env")
    FIELD_KEYS = FIELD_KEYS or _dev_keys["DJANGO_FIELD_KEYS"]
    BLIND_INDEX_KEY = BLIND_INDEX_KEY or _dev_keys["DJANGO_BLIND_INDEX_KEY"]
try:
    parse_field_keys(FIELD_KEYS)
    parse_blind_index_key(BLIND_INDEX_KEY)
except KeyConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from None

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "huzhou_care.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huzhou_care.apps.AxesConfig",
    "csp",
    "django_htmx",
    "import_export",
    "huzhou_care.crypto",
    "huzhou_care.orgs",
    "huzhou_care.accounts",
    "huzhou_care.audit",
    "huzhou_care.notify",
    "huzhou_care.files",
    "huzhou_care.ops",
    "children",
    "volunteers",
    "pairing",
    "campaign",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Collected static files, served by each web node itself (no shared folder, no nginx
    # needed); after SecurityMiddleware so they carry nosniff and HSTS too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "huzhou_care.accounts.middleware.SessionLimitsMiddleware",
    "huzhou_care.accounts.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The portal's 404 page also with DEBUG on (huzhou_care/errors.py).
    "huzhou_care.errors.NotFoundPageMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huzhou_care.urls"
WSGI_APPLICATION = "huzhou_care.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huzhou_care.accounts.context_processors.navigation",
                "huzhou_care.notify.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL with synchronous=NORMAL (durable across a crash of the process; a power cut may
    # lose the last commits, never the file: SQLite is the demo/development database) and a
    # 64 MB page cache instead of 2 MB, so that a roster import's inserts into the child
    # table's twenty indexes stay in memory.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536;",
        }
    )
# A read replica (PostgreSQL streaming replication) for the dashboards' reads: only the
# selectors wrapped in huzhou_care.replica.replica_reads go there; everything else, and every
# write, stays on the primary. In tests the alias mirrors the default database.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["huzhou_care.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions live in Redis too, so any web node can serve any request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "huzhou_care.accounts.backends.CityAdminPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "huzhou_care.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "campaign:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout per (username, IP) after repeated failures, with a cool-off: never a permanent lock.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"
# An attempt made while locked out does not start the cool-off again (else one request every
# 14 minutes keeps an account locked for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address (lockout and access log alike, see huzhou_care.audit.services.client_ip)
# is read by django-ipware. Directly exposed: REMOTE_ADDR only (a forwarded header would be the
# client's own claim). Behind DJANGO_BEHIND_PROXY=1 with AXES_PROXY_COUNT=N proxies (nginx in
# front: N=1), each proxy appends the address it received the request from to
# X-Forwarded-For and the innermost one is REMOTE_ADDR: ipware is told N-1 proxies are listed
# after the client there, and a chain of any other length (a client sending its own header)
# counts as coming from the proxy's address, never as the address the client claims.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=1) if BEHIND_PROXY else 0
AXES_IPWARE_PROXY_ORDER = "left-most"
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_PROXY_COUNT = None
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions: 30 minutes idle (renewed on every request), 12 hours absolute.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "huzhou_care.accounts.views.csrf_failure"

# No inline scripts or styles: every script is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
# Uploads (rosters, documents) live outside the web root and are served only by views that
# check scope. With several machines, point this at shared storage.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Several machines: uploads in an S3-compatible bucket (MinIO, a cloud's OSS), private, read
# back only by the workers and the authorised views. Keys: AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY from the environment (read by boto3 itself).
S3_BUCKET = env.str("DJANGO_S3_BUCKET", default="")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("DJANGO_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DJANGO_S3_REGION", default="") or None,
            "location": env.str("DJANGO_S3_PREFIX", default="media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env.str("DJANGO_S3_ADDRESSING", default="path"),
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# The admin's spreadsheet imports keep the file in the cache between preview and confirm.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "huzhou_care.admin.ImportTmpStorage"
# WhiteNoise serves STATIC_ROOT (filled by collectstatic, `make serve`); in development it
# finds the files in static/ itself, so runserver and the tests need no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Reliability (SECURITY.md "Background work"): a task is acknowledged only after it ran, and a
# worker lost mid-task (killed, out of memory) has its task redelivered; one task at a time
# per worker process; JSON only (messages carry ids and ISO dates, never personal data).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
# The queue web, beat and workers share (one per deployment sharing a Redis database).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# Soft limit: the task gets SoftTimeLimitExceeded and its transaction rolls back; hard limit:
# the worker process is replaced. Every task is idempotent, so a rerun is safe.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TIME_LIMIT", default=20 * 60)
# Redis redelivers a task that was taken but not acknowledged after this many seconds (a
# worker killed mid-task). It must exceed the hard time limit, or a long task runs twice
# (harmlessly, being idempotent, but wastefully).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# The one beat (`make beat`, exactly one per deployment): the daily reminders at 08:00, the
# roster file purge and the December evaluation roll-up.
CELERY_BEAT_SCHEDULE: dict = {
    "daily-reminders": {
        "task": "notify.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Uploaded roster files hold personal data: imported ones go after ROSTER_FILE_KEEP_DAYS.
    "children.roster_files_purge": {
        "task": "children.roster_files_purge",
        "schedule": timedelta(hours=env.int("ROSTER_FILE_PURGE_HOURS", default=6)),
    },
    # The December evaluation roll-up, nightly for as-of dates 1-20 December (campaign/).
    "nightly-evaluation-rollup": {
        "task": "campaign.nightly_rollup",
        "schedule": crontab(hour=0, minute=30, day_of_month="2-21", month_of_year="12"),
    },
    # The dashboards' pre-aggregated figures (campaign/evaluation/counts.py), every 10
    # minutes: a dashboard then rarely finds them stale (about 6 s of database work at
    # 1,000,000 children).
    "campaign.dashboard_counts_refresh": {
        "task": "campaign.dashboard_counts_refresh",
        "schedule": timedelta(minutes=env.int("DASHBOARD_REFRESH_MINUTES", default=10)),
    },
    # Retention: leavers past CHILD_RETENTION_YEARS are de-identified, nightly (children/).
    "children.retention_deidentify": {
        "task": "children.retention_deidentify",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- E-mail (notifications) -------------------------------------------------------------------
# EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.gov.cn:587) or EMAIL_HOST and friends;
# with neither, mail is printed to the console (development). Tests use Django's outbox.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@care.huzhou.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications ----------------------------------------------------------------------------
# The SMS gateway class (huzhou_care.notify.channels.SmsGateway); the stub only logs, masked.
NOTIFY_SMS_GATEWAY = env.str(
    "NOTIFY_SMS_GATEWAY", default="huzhou_care.notify.channels.LoggingSmsGateway"
)
# The portal's address, for links in e-mails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Logging: no personal identifiers in logs (ids only) --------------------------------------
# ID numbers and phones that reach a record anyway (a database error's detail, a traceback)
# are masked in every record: see huzhou_care/logmask.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "huzhou_care.logmask.masking_filter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Rosters: limits against hostile files; how long uploaded files are kept ----------------
# Rows a roster sheet may have (repeated rows count as what they stand for), checked before the
# sheet is read into memory; rejected rows kept per upload (preview and error sheet); days an
# imported upload's file is kept (cancelled and failed uploads lose theirs at once).
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=20_000)
ROSTER_MAX_REJECTED_ROWS = env.int("ROSTER_MAX_REJECTED_ROWS", default=1_000)
ROSTER_FILE_KEEP_DAYS = env.int("ROSTER_FILE_KEEP_DAYS", default=30)
# Pending transfer requests a school may hold at once (each blocks the child's one slot).
TRANSFER_MAX_PENDING_PER_SCHOOL = env.int("TRANSFER_MAX_PENDING_PER_SCHOOL", default=30)
# Years after leaving the registry that a child's record is kept in full; then it is
# de-identified (PIPL art. 19 and 47; children/retention.py).
CHILD_RETENTION_YEARS = env.int("CHILD_RETENTION_YEARS", default=3)

# --- Portal -----------------------------------------------------------------------------------
PORTAL_NAME = "“我们在一起”湖州志愿者关爱农村留守儿童行动"

# Pairing (心手相连): the winter and summer holidays, when a paired child is overdue after 14
# days without a visit instead of 30. "MM-DD:MM-DD" ranges, comma-separated.
PAIRING_HOLIDAYS = tuple(
    tuple(tuple(int(x) for x in end.split("-")) for end in span.split(":"))
    for span in env.list("DJANGO_PAIRING_HOLIDAYS", default=["01-20:02-20", "07-01:08-31"])
)
