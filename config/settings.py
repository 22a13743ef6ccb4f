"""Etam settings: one module, twelve-factor, read through ``config.env``.

See docs/adr/0003-settings-from-environment.md. ``ETAM_MODE`` picks the posture:
``demo`` (embedded default for ``make run``), ``test`` and ``production``.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config import env, storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.text("ETAM_VAR_DIR", str(BASE_DIR / "var")))
SHARED_DATA_DIR = BASE_DIR / "etam" / "core" / "data"

ETAM_MODE = env.mode()
PRODUCTION = ETAM_MODE == "production"
DEMO_MODE = ETAM_MODE == "demo"

_DEV_SECRET = "etam-insecure-development-key-do-not-use-in-production"  # noqa: S105 (refused in production below)
SECRET_KEY = env.text("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET, required=PRODUCTION)
if PRODUCTION and (
    SECRET_KEY == _DEV_SECRET
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
):
    raise env.ConfigurationError(
        "Variabel lingkungan SECRET_KEY: nilai bawaan, terlalu pendek atau tidak acak (minimal 50 karakter acak). "
        "/ Environment variable SECRET_KEY: default, too short or not random (at least 50 random characters)."
    )

# Issue 15: off in every mode unless asked for, so `make run` answers like production (Etam's
# own 404/500 pages, hashed and compressed static files); DEBUG=true brings Django's pages back.
DEBUG = env.boolean("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise env.ConfigurationError(
        "Variabel lingkungan DEBUG: tidak boleh aktif di mode produksi. "
        "/ Environment variable DEBUG: must be off in production."
    )

ALLOWED_HOSTS = env.csv_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"], required=PRODUCTION)
CSRF_TRUSTED_ORIGINS = env.csv_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Issue 15: form widgets render through TEMPLATES, so the shell's templates can restyle
    # them (etam/templates/django/forms/: no "---------" in a select).
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "etam.core",
    "etam.web",
    "etam.api",
    "etam.offline",
    "etam.evaluation",
    "etam.eservices",
    "etam.inventory",
    "etam.interop",
    "etam.opendata",
    "etam.governance",  # issue 18: service desk, risk, security and audit, personal data
    "etam.quality",  # issue 17: service quality (SKM survey, reports, follow-up)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 413 naming the limit before anything reads an oversized body (ADR 0081).
    "etam.core.bodylimit.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "etam.web.middleware.IndonesianFirstMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Sessions that still owe their TOTP code (or enrolment) go to that step first (ADR 0006).
    "etam.core.staff_access.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "etam.core.middleware.RequestContextMiddleware",
    # AxesMiddleware last, as django-axes documents.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"  # issue 15, see "django.forms" above
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "etam" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "etam.web.context_processors.shell",
            ],
        },
    }
]

# SQLite under var/ is the embedded default; DATABASE_URL points at PostgreSQL in production.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'etam.sqlite3'}", required=PRODUCTION)
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the task worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Prepared statements only where ``etam.core.prepared`` asks for them (the fixed SQL of the
    # submit path); Django's own cursors bind on the client and never prepare (ADR 0169).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "etam.core.auth_backends.EmailOrPhoneBackend",
]
# Argon2id at OWASP's parameters first (docs/adr/0166); Django's PBKDF2 hashers stay after it
# so hashes made before still verify and are rewritten as Argon2id at the next sign-in.
# (ETAM_PASSWORD_HASHERS: the list outside test mode, for the tests that prove the upgrade.)
ETAM_PASSWORD_HASHERS = [
    "etam.core.hashers.EtamArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
PASSWORD_HASHERS = ETAM_PASSWORD_HASHERS
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Issue 10 (helper misc): staff passwords, Peraturan BSSN 4/2021 (ADR 0077).
AUTH_PASSWORD_VALIDATORS += [
    {"NAME": "etam.core.validators.StaffPasswordValidator", "OPTIONS": {"min_length": 12, "min_classes": 4}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login rate limiting (django-axes): attempts are counted in the database, so every
# web process behind the proxy sees the same count.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.integer("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form field (email or phone, normalised by the login view), not USERNAME_FIELD.
AXES_USERNAME_FORM_FIELD = "username"
# (Rate limits, issue 10: the person key, client address and extra limits are set below.)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_ENABLED = env.boolean("AXES_ENABLED", True)

# Issue 16: the interoperability node (ADR 0152). The gateway forwards only to registered hosts;
# in production a host resolving to a loopback/private address also needs an admin's explicit allowance.
INTEROP_SIGNING_KEY = env.text("INTEROP_SIGNING_KEY", "")  # base64 Ed25519 seed; empty: derived from SECRET_KEY
INTEROP_PROVIDER_TIMEOUT = float(env.integer("INTEROP_PROVIDER_TIMEOUT", 10, minimum=1))
INTEROP_PROVIDER_ATTEMPTS = env.integer("INTEROP_PROVIDER_ATTEMPTS", 2, minimum=1)
INTEROP_MAX_RESPONSE_BYTES = env.integer("INTEROP_MAX_RESPONSE_BYTES", 5 * 1024 * 1024, minimum=1024)
INTEROP_REFUSE_PRIVATE_ADDRESSES = PRODUCTION
# Dukcapil NIK verification (ADR 0153); the demo and tests use the fake (etam.interop.connectors.fakedukcapil).
INTEROP_DUKCAPIL_URL = env.text("INTEROP_DUKCAPIL_URL", "http://127.0.0.1:8766")
INTEROP_DUKCAPIL_USER = env.text("INTEROP_DUKCAPIL_USER", "etam")
INTEROP_DUKCAPIL_PASSWORD = env.text("INTEROP_DUKCAPIL_PASSWORD", "etam")
INTEROP_DUKCAPIL_CLIENT_IP = env.text("INTEROP_DUKCAPIL_CLIENT_IP", "127.0.0.1")
INTEROP_DUKCAPIL_TIMEOUT = float(env.integer("INTEROP_DUKCAPIL_TIMEOUT", 8, minimum=1))
INTEROP_DUKCAPIL_DAILY_QUOTA = env.integer("INTEROP_DUKCAPIL_DAILY_QUOTA", 250_000, minimum=1)
INTEROP_DUKCAPIL_CACHE_SECONDS = env.integer("INTEROP_DUKCAPIL_CACHE_SECONDS", 30 * 86400, minimum=0)
# SP4N-LAPOR!, SIASN and SPLP (ADRs 0154-0156); the demo and tests use etam.interop.connectors.fakenational.
INTEROP_LAPOR_URL = env.text("INTEROP_LAPOR_URL", "http://127.0.0.1:8767")
INTEROP_LAPOR_TOKEN = env.text("INTEROP_LAPOR_TOKEN", "etam")
INTEROP_LAPOR_TIMEOUT = float(env.integer("INTEROP_LAPOR_TIMEOUT", 10, minimum=1))
INTEROP_LAPOR_DAILY_QUOTA = env.integer("INTEROP_LAPOR_DAILY_QUOTA", 20_000, minimum=1)
INTEROP_SIASN_URL = env.text("INTEROP_SIASN_URL", "http://127.0.0.1:8767")
INTEROP_SIASN_TOKEN = env.text("INTEROP_SIASN_TOKEN", "etam")
INTEROP_SIASN_SSO_TOKEN = env.text("INTEROP_SIASN_SSO_TOKEN", "etam")
INTEROP_SIASN_TIMEOUT = float(env.integer("INTEROP_SIASN_TIMEOUT", 10, minimum=1))
INTEROP_SIASN_DAILY_QUOTA = env.integer("INTEROP_SIASN_DAILY_QUOTA", 50_000, minimum=1)
INTEROP_SPLP_URL = env.text("INTEROP_SPLP_URL", "http://127.0.0.1:8767")
INTEROP_SPLP_TOKEN = env.text("INTEROP_SPLP_TOKEN", "etam")
INTEROP_SPLP_TIMEOUT = float(env.integer("INTEROP_SPLP_TIMEOUT", 15, minimum=1))
INTEROP_SPLP_DAILY_QUOTA = env.integer("INTEROP_SPLP_DAILY_QUOTA", 1_000, minimum=1)

# Published counts of people from 1 to this minus one show as "<5" (etam.core.suppression, ADR 0150).
SMALL_COUNT_THRESHOLD = env.integer("SMALL_COUNT_THRESHOLD", 5, minimum=2)

OTP_TOTP_ISSUER = "Etam SPBE Kaltim"
# Staff second factor (docs/adr/0006-staff-second-factor-and-login-rate-limiting.md):
# a wrong TOTP code doubles the wait before the next try (2 s, 4 s, 8 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 2
OTP_STATIC_THROTTLE_FACTOR = 2  # recovery codes: the same back-off as TOTP codes
# On: every staff account must enrol an authenticator app before using Etam.
ETAM_REQUIRE_STAFF_2FA = env.boolean("ETAM_REQUIRE_STAFF_2FA", PRODUCTION)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "etam" / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA, Kalimantan Timur
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    # Local disk, or S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set (ADR 0100).
    "default": storage.default_storage(MEDIA_ROOT),
    # Issue 15 (ADR 0130): static files stay on this machine, served by WhiteNoise, in every mode
    # but test: collected (`make setup`, `collectstatic`) with hashed names, pre-compressed
    # (gzip) and cached for a year; the test suite reads them from the apps.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if ETAM_MODE == "test"
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = STORAGES["staticfiles"]["BACKEND"].startswith("django.")
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Request bodies (not counting multipart files): Django's 2.5 MB default everywhere, raised
# for the paths listed here (exact path -> bytes); etam.core.bodylimit answers 413 beyond.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
REQUEST_BODY_LIMITS = {
    # A 20 MB PDF as base64 (4/3) inside a JSON object.
    "/api/v1/documents/verify": 28 * 1024 * 1024,
}

# Background work: django-tasks with the database backend (ADR 0002); on Redis through
# django-tasks' RQ backend in the production topology (ADR 0104). REDIS_URL carries the
# cache; TASKS_REDIS_URL the queue (default: REDIS_URL), so each can have its own DB number.
REDIS_URL = env.redis_url("REDIS_URL")
TASKS = {"default": {"BACKEND": env.tasks_backend("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
if TASKS["default"]["BACKEND"] == env.RQ_BACKEND:
    TASKS_REDIS_URL = env.redis_url("TASKS_REDIS_URL") or REDIS_URL
    if not TASKS_REDIS_URL:
        raise env.ConfigurationError(
            "Variabel lingkungan TASKS_REDIS_URL (atau REDIS_URL): wajib diisi untuk antrean Redis (TASKS_BACKEND). "
            "/ Environment variable TASKS_REDIS_URL (or REDIS_URL): required for the Redis queue (TASKS_BACKEND)."
        )
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A job may run at most this long; a worker killed mid-job leaves it in RQ's started
    # registry, from which the scheduler puts it back on the queue (etam.core.queue).
    RQ_QUEUES = {
        "default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": env.integer("TASKS_JOB_TIMEOUT", 600, minimum=1)}
    }

CACHES = {
    "default": {
        # django-redis with IGNORE_EXCEPTIONS: Redis down is a cache miss (logged), not a 500;
        # the rate-limit counters then count in the database (etam.core.ratelimit).
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }
    if REDIS_URL
    else {
        # Shared by every process on the embedded default; no process-local state.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "etam_cache",
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload consent in the header (a .go.id site is HTTPS-only anyway); it only lets the
    # domain be submitted to the browsers' preload list, which stays an operator's act.
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)

# Audit sealing: HMAC key kept outside the database so that whoever can write the
# audit table cannot also forge the seals (docs/adr/0004-tamper-evident-audit-trail.md).
AUDIT_SEAL_KEY = env.text("AUDIT_SEAL_KEY", SECRET_KEY)
# Retired seal keys, still accepted when verifying (comma-separated), after a rotation.
AUDIT_SEAL_KEY_FALLBACKS = env.csv_list("AUDIT_SEAL_KEY_FALLBACKS", default=[])
AUDIT_SEAL_INTERVAL_SECONDS = env.integer("AUDIT_SEAL_INTERVAL_SECONDS", 60, minimum=1)
# --- Rate limits and the client address (docs/adr/0074, 0075; issue 10) ---------------
# How many reverse proxies in front of Etam append to X-Forwarded-For. 0 (default): the
# header is ignored and REMOTE_ADDR is the client. Every limiter, django-axes and the audit
# trail take the client address from etam.core.ratelimit.client_ip, which reads this.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT  # consistent, though the API throttle overrides get_ident
AXES_CLIENT_IP_CALLABLE = "etam.core.ratelimit.axes_client_ip"
# Failed sign-ins are counted per person (email and phone of one account share the key).
AXES_USERNAME_CALLABLE = "etam.core.login_limits.person_key"
AXES_HANDLER = "etam.core.login_limits.LoginLimitHandler"
# On top of django-axes' (person, address) limit: failed sign-ins per person from every
# address, and per address across every account (password spraying), per cool-off period.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.integer("LOGIN_ACCOUNT_FAILURE_LIMIT", 20, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env.integer("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
# Citizen registrations per client address, e.g. 10/h; "off" disables.
REGISTRATION_RATE_LIMIT = env.rate("REGISTRATION_RATE_LIMIT", "10/h")
# Requests per caller (token, user or address) on /api/v1/ and /api/3/action/, e.g. 600/m; "off" disables.
API_RATE_LIMIT = env.rate("API_RATE_LIMIT", "600/m")
# --- end of rate limits -------------------------------------------------------------------

EMAIL_BACKEND = env.text(
    "EMAIL_BACKEND",
    # Issue 15: the demo's mail outbox is a folder, var/log/mail/ (one file per sending).
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "log" / "mail"
# Issue 15 (ADR 0131): the class that sends a citizen's password recovery code by SMS; the
# default writes the demo's SMS outbox, var/log/sms.log.
ACCOUNT_SMS_SENDER = env.text("ACCOUNT_SMS_SENDER", "etam.core.account_sms.FileTextSender")
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "etam@kaltimprov.go.id")

# Electronic services (etam.eservices, docs/adr/0050..0059). NIK and phone numbers are
# encrypted at rest with keys derived (HKDF) from ESERVICES_FIELD_KEY; keep it outside
# the database and its backups. Signing material: a development CA per instansi is made
# on first use; in production put <region_code>.p12 files in ESERVICES_SIGNING_DIR.
ESERVICES_FIELD_KEY = env.text("ESERVICES_FIELD_KEY", "" if PRODUCTION else SECRET_KEY, required=PRODUCTION)
ESERVICES_SIGNING_DIR = Path(env.text("ESERVICES_SIGNING_DIR", str(VAR_DIR / "eservices" / "signing")))
ESERVICES_SIGNING_PASSPHRASE = env.text("ESERVICES_SIGNING_PASSPHRASE", "")
ESERVICES_PUBLIC_BASE_URL = env.text("ESERVICES_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Electronic signatures (docs/adr/0082): "local" signs in-process with the demo PKI
# (the embedded demo); "remote" calls a hub speaking the BSrE Esign Client API.
ESERVICES_SIGNER = env.text("ESERVICES_SIGNER", "local")
ESERVICES_SIGNING_URL = env.text("ESERVICES_SIGNING_URL", "http://127.0.0.1:8765")
ESERVICES_SIGNING_CLIENT_ID = env.text("ESERVICES_SIGNING_CLIENT_ID", "esign")
ESERVICES_SIGNING_CLIENT_SECRET = env.text("ESERVICES_SIGNING_CLIENT_SECRET", "esign")
ESERVICES_SIGNING_TIMEOUT = env.integer("ESERVICES_SIGNING_TIMEOUT", 20, minimum=1)
ESERVICES_SIGNING_ATTEMPTS = env.integer("ESERVICES_SIGNING_ATTEMPTS", 3, minimum=1)
ESERVICES_SIGNING_TRUST_ROOT = env.text("ESERVICES_SIGNING_TRUST_ROOT", "")
ESERVICES_TSA_URL = env.text("ESERVICES_TSA_URL", "")
ESERVICES_UPLOAD_MAX_BYTES = env.integer("ESERVICES_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
ESERVICES_SMS_GATEWAY = env.text("ESERVICES_SMS_GATEWAY", "console")  # console | webhook
ESERVICES_SMS_WEBHOOK_URL = env.text("ESERVICES_SMS_WEBHOOK_URL", "")
ESERVICES_SMS_WEBHOOK_SECRET = env.text("ESERVICES_SMS_WEBHOOK_SECRET", "")

# Satu Data queries (etam.opendata.query, docs/adr/0042 and 0072). Every DuckDB database
# gets a memory limit and a thread cap and never spills to disk; free-form SQL
# (datastore_search_sql) runs in a child process whose heap is capped by the kernel.
OPENDATA_QUERY_TIMEOUT = env.integer("OPENDATA_QUERY_TIMEOUT", 5, minimum=1)  # seconds, parsing included
OPENDATA_DUCKDB_THREADS = env.integer("OPENDATA_DUCKDB_THREADS", 2, minimum=1)
OPENDATA_DUCKDB_MEMORY_MB = env.integer("OPENDATA_DUCKDB_MEMORY_MB", 256, minimum=16)
OPENDATA_SQL_PROCESS_MEMORY_MB = env.integer("OPENDATA_SQL_PROCESS_MEMORY_MB", 512, minimum=128)
# Capped SQL children running at once per web process; a query waits for a slot within its
# time limit, then gets 429. Memory bound: workers x this x OPENDATA_SQL_PROCESS_MEMORY_MB.
OPENDATA_SQL_CONCURRENCY = env.integer("OPENDATA_SQL_CONCURRENCY", 2, minimum=1)
OPENDATA_SQL_ROWS_MAX = env.integer("OPENDATA_SQL_ROWS_MAX", 10_000, minimum=1)
OPENDATA_SQL_BYTES_MAX = env.integer("OPENDATA_SQL_BYTES_MAX", 10_000_000, minimum=1024)
OPENDATA_SQL_MAX_CHARS = env.integer("OPENDATA_SQL_MAX_CHARS", 20_000, minimum=100)
OPENDATA_SQL_MAX_DEPTH = env.integer("OPENDATA_SQL_MAX_DEPTH", 32, minimum=2)
# Published Parquet on object storage (ADR 0101): a local read-through copy of each immutable
# file ("cache", default) or DuckDB reading the bucket through pyarrow's S3 filesystem ("direct").
OPENDATA_PARQUET_READ = env.text("OPENDATA_PARQUET_READ", "cache")
if OPENDATA_PARQUET_READ not in ("cache", "direct"):
    raise env.ConfigurationError(
        "Variabel lingkungan OPENDATA_PARQUET_READ: harus cache atau direct. "
        "/ Environment variable OPENDATA_PARQUET_READ: must be cache or direct."
    )
OPENDATA_PARQUET_CACHE_DIR = storage.parquet_cache_dir(VAR_DIR)
OPENDATA_PARQUET_CACHE_MB = env.integer("OPENDATA_PARQUET_CACHE_MB", 2048, minimum=16)

# Spreadsheet uploads (etam.core.spreadsheets, docs/adr/0073): checked before and while
# they are read, so a small XLSX cannot unpack into gigabytes.
SPREADSHEET_MAX_UNPACKED_MB = env.integer("SPREADSHEET_MAX_UNPACKED_MB", 200, minimum=1)
SPREADSHEET_MAX_RATIO = env.integer("SPREADSHEET_MAX_RATIO", 100, minimum=2)
SPREADSHEET_MAX_SHARED_STRINGS = env.integer("SPREADSHEET_MAX_SHARED_STRINGS", 500_000, minimum=1)
SPREADSHEET_MAX_SHARED_STRINGS_MB = env.integer("SPREADSHEET_MAX_SHARED_STRINGS_MB", 50, minimum=1)
SPREADSHEET_MAX_ROWS = env.integer("SPREADSHEET_MAX_ROWS", 1_048_576, minimum=1)
SPREADSHEET_MAX_COLUMNS = env.integer("SPREADSHEET_MAX_COLUMNS", 1_000, minimum=1)
# Elements of a part openpyxl parses whole on opening (styles, workbook, theme, properties):
# 1.5 M cell formats in a 3.4 MB file took 44 s and 3.1 GB; 50,000 elements take ~2 s.
SPREADSHEET_MAX_PART_ELEMENTS = env.integer("SPREADSHEET_MAX_PART_ELEMENTS", 50_000, minimum=100)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

if ETAM_MODE == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast: tests only
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    API_RATE_LIMIT = ""  # off, so query counts are about the endpoint; tests/api tests the limit

# Content-Security-Policy, enforced (django-csp; docs/adr/0078-content-security-policy.md).
# Scripts only from our own origin, never inline; inline <style> only with the per-request
# nonce (templates write <style nonce="{{ request.csp_nonce }}">); no style="" attributes.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
# Staff pages and pages showing a one-time message are no-store (docs/adr/0079).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "etam.web.middleware.PrivatePagesMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        # data: for the images Swagger UI draws from its own stylesheet (icons as data URIs).
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- issue 11: an HTML page that needed the unreachable object storage answers 503 -------
# with Retry-After instead of the generic 500 (the API does so itself, etam.api.errors).
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "etam.web.middleware.StorageUnavailableMiddleware"
)
# --- end of issue 11 -----------------------------------------------------------------------

# Issue 19 — the PPDB opening-hour burst (docs/adr/0145, docs/adr/0146).
# Overload: first in the chain, a quick 503 + Retry-After for a request that waited in the
# backlog longer than OVERLOAD_MAX_QUEUE_MS (nginx's X-Request-Start; 0 = off) or beyond
# OVERLOAD_MAX_INFLIGHT requests in one process (threaded workers; 0 = off).
MIDDLEWARE.insert(0, "etam.web.overload.OverloadMiddleware")
OVERLOAD_MAX_QUEUE_MS = env.integer("OVERLOAD_MAX_QUEUE_MS", 3000, minimum=0)
OVERLOAD_MAX_INFLIGHT = env.integer("OVERLOAD_MAX_INFLIGHT", 0, minimum=0)
# Anonymous public pages rendered once per PAGE_CACHE_SECONDS into the cache (0 = off; off in
# tests unless a test turns it on), right after RequestContextMiddleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("etam.core.middleware.RequestContextMiddleware") + 1,
    "etam.web.pagecache.PublicPageCacheMiddleware",
)
PAGE_CACHE_SECONDS = env.integer("PAGE_CACHE_SECONDS", 0 if ETAM_MODE == "test" else 60, minimum=0)
# How long nginx's microcache may keep such a page when it is the same for every anonymous
# visitor (X-Accel-Expires; docs/adr/0167; 0 = never).
PAGE_SHARED_CACHE_SECONDS = env.integer("PAGE_SHARED_CACHE_SECONDS", 3, minimum=0)
# The citizen's case page (the status poll), kept rendered per person, language and version
# of the case (docs/adr/0168); 0 = off; off in tests unless a test turns it on.
CASE_PAGE_CACHE_SECONDS = env.integer("CASE_PAGE_CACHE_SECONDS", 0 if ETAM_MODE == "test" else 60, minimum=0)
