"""One settings module for every mode.

* ``DJANGO_DEBUG=1`` selects development: with nothing else set it runs *embedded*
  (SQLite under ``var/``, local files, in-process Celery tasks, console e-mail) so that
  ``make run`` works on a fresh machine. ``DATABASE_URL``, ``REDIS_URL`` and ``S3_*``
  switch each part to the real service independently.
* With ``DJANGO_DEBUG`` unset or off it is *production*: it refuses to start unless the
  secret key, allowed hosts, a PostgreSQL ``DATABASE_URL``, ``REDIS_URL`` and a RabbitMQ
  ``CELERY_BROKER_URL`` are set, and it passes ``manage.py check --deploy`` with no warnings.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from govportal.accounts.national_oidc.config import national_oidc_apps
from govportal.env import env_bool, env_int, env_list, env_secret, env_str, parse_email_url, run_host_url
from govportal.queues import DEFAULT, declared_queues, queue_name
from govportal.storage_config import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GOVPORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)
PRODUCTION = not DEBUG

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
BROKER_URL = env_secret("CELERY_BROKER_URL")


def production_problems() -> list[str]:
    """What makes the environment unsafe for production, in words an operator can act on."""
    problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
        problems.append("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set to a random value of 50+ characters")
    if not ALLOWED_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must list the host names the portal answers to")
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point to PostgreSQL (postgres://user:password@host:5432/name)")
    if env_bool("PAYMENT_SANDBOX") and len(env_secret("PAYMENT_SANDBOX_SECRET")) < 16:
        problems.append("PAYMENT_SANDBOX_SECRET must be set (16+ characters) when PAYMENT_SANDBOX is on")
    if env_bool("IDENTITY_SANDBOX") and len(env_secret("IDENTITY_SANDBOX_CLIENT_SECRET")) < 16:
        problems.append("IDENTITY_SANDBOX_CLIENT_SECRET must be set (16+ characters) when IDENTITY_SANDBOX is on")
    if not REDIS_URL.startswith(("redis://", "rediss://")):
        problems.append("REDIS_URL must point to Redis (redis://host:6379/0)")
    if not BROKER_URL.startswith(("amqp://", "amqps://")):
        problems.append(
            "CELERY_BROKER_URL must point to RabbitMQ (amqp://user:password@host:5672/vhost): with a Redis broker "
            "the tasks of a crashed worker come back only after its visibility timeout"
        )
    return problems


if PRODUCTION and (problems := production_problems()):
    raise ImproperlyConfigured(
        "Refusing to start in production mode (DJANGO_DEBUG is off): "
        + "; ".join(problems)
        + ". For local development set DJANGO_DEBUG=1."
    )

if DEBUG and not SECRET_KEY:
    # Development only: a fixed, obviously unsafe key so sessions survive restarts.
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-0123456789abcdef"  # noqa: S105
# The address the development server listens on: `make run HOST=… PORT=…` exports these, so that
# links in QR codes, e-mails and the sandbox's webhooks reach the server being run.
RUN_HOST = env_str("GOVPORTAL_RUN_HOST", "127.0.0.1")
RUN_PORT = env_int("GOVPORTAL_RUN_PORT", 8000)
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
    if run_host_url(RUN_HOST) not in ALLOWED_HOSTS:  # `make run HOST=myhost.local`
        ALLOWED_HOSTS.append(run_host_url(RUN_HOST))

# SITE_URL set explicitly always wins (behind a proxy, on another machine, in production).
SITE_URL = env_str(
    "SITE_URL", f"http://{run_host_url(RUN_HOST)}:{RUN_PORT}" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "govportal.audit",
    "govportal.entities",
    "govportal.accounts",
    "govportal.verification",
    "govportal.numbering",
    "govportal.notifications",
    "govportal.pdf",
    "collection",
    "datacenter",
    "documents",
    "training",
    "housing_fund",
    # The sandbox identity provider is always installed (its tables exist everywhere); its URLs are
    # mounted only when IDENTITY_SANDBOX is on.
    "sandbox_idp",
    "oauth2_provider",
    "ninja",
    "govportal.api",
    "govportal.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govportal.web.middleware.LanguageMiddleware",
    "govportal.web.digits.DigitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "govportal.accounts.middleware.StaffMfaRequiredMiddleware",
    "govportal.api.middleware.ApiCallAuditMiddleware",
]

ROOT_URLCONF = "govportal.urls"
WSGI_APPLICATION = "govportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govportal.web.context_processors.portal",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if not env_bool("DATABASE_JIT", default=False):
        # PostgreSQL's JIT compiles a query whose estimated cost is high, whatever it then does:
        # a home-page count planned around a large subquery spent 0.5 s compiling to read nothing.
        # Portal queries are short; turned off per connection (behind PgBouncer, which refuses
        # startup options: DATABASE_JIT=1 and `ALTER ROLE … SET jit = off` instead).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "govportal.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "govportal",
            "TIMEOUT": 300,
            # A Redis that stops answering must fail requests fast, not hang them.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=env_str("S3_ENDPOINT_URL") or None,
        access_key=env_secret("S3_ACCESS_KEY_ID") or None,
        secret_key=env_secret("S3_SECRET_ACCESS_KEY") or None,
        region=env_str("S3_REGION", "us-east-1"),
    )
else:
    # Private files live outside STATIC_ROOT and no URL pattern serves MEDIA_ROOT.
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files"), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

VERIFY_RATE_LIMIT_PER_MINUTE = env_int("VERIFY_RATE_LIMIT_PER_MINUTE", 120)
# Documents per status list (verification.trust): 4 bits each, so 2 MiB before compression, and a
# scanner that fetches one list tells nothing of which of these 4,194,304 documents it checks.
# Never change it once tokens name their lists: their indexes would point into other lists.
VERIFY_STATUS_LIST_SIZE = env_int("VERIFY_STATUS_LIST_SIZE", 4_194_304)

# --- Celery ----------------------------------------------------------------------------

# RabbitMQ is the broker in production (docs/OPERATIONS.md, "Broker and queues"): a task whose
# worker dies is handed to another worker the moment its connection drops, with no visibility
# timeout to wait for or to outlive. Redis keeps the cache, the task results and the counters.
# In development a Redis broker will do (REDIS_URL alone); with neither, tasks run in-process.
CELERY_BROKER_URL = BROKER_URL or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not (BROKER_URL or REDIS_URL)  # embedded mode only: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At least once: a task is acknowledged after it ran, so a task whose worker dies (kill -9, lost
# machine, out of memory) is delivered again; tasks are idempotent, which makes it exactly once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task that finished but whose acknowledgement was lost with its worker is not run again.
CELERY_WORKER_DEDUPLICATE_SUCCESSFUL_TASKS = True
# When the broker connection drops, the broker hands the running tasks to another worker: stop
# them here rather than run them twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_HEARTBEAT = 60  # a vanished machine's tasks come back within about two minutes
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://")):
    # The publish returns once RabbitMQ has the message, so a broker crash cannot lose a task.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"confirm_publish": True}
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Development only. Redis hands an unacknowledged task out again after this many seconds,
    # even to a second worker while the first still runs it: it must outlast the longest task
    # (a loan import: 3,700 s) plus the longest countdown (retries: 600 s), so a crashed
    # worker's tasks come back only after two hours.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 7200}
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX")
CELERY_TASK_QUEUES = declared_queues(CELERY_QUEUE_PREFIX)
CELERY_TASK_ROUTES = ("govportal.queues.route_task",)
CELERY_TASK_DEFAULT_QUEUE = queue_name(DEFAULT, CELERY_QUEUE_PREFIX)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Baghdad"
CELERY_BEAT_SCHEDULE = {
    "verification-counts-flush": {
        "task": "govportal.verification.tasks.verification_counts_flush_task",
        "schedule": 60.0,
    },
    "training-reminders-daily": {
        "task": "training.tasks.training_reminders_send",
        "schedule": crontab(hour=8, minute=0),
    },
    "payments-expire-sweep": {
        "task": "collection.tasks.payments_expire_sweep",
        "schedule": 300.0,
    },
    "api-notifications-due": {
        "task": "govportal.api.tasks.notifications_due_send",
        "schedule": 60.0,
    },
    "refunds-pending-sync": {
        "task": "collection.tasks.refunds_pending_sync",
        "schedule": 300.0,
    },
    "sandbox-settlement-nightly": {
        "task": "collection.tasks.sandbox_settlement_fetch",
        "schedule": crontab(hour=3, minute=15),
    },
    "housing-bill-and-remind-daily": {
        "task": "housing_fund.tasks.installments_daily",
        "schedule": crontab(hour=7, minute=0),
    },
    "pdf-render-missing-sweep": {
        "task": "govportal.pdf.tasks.pdf_render_missing_sweep",
        "schedule": 600.0,
    },
    "register-exports-purge-daily": {
        "task": "documents.tasks.register_exports_purge_task",
        "schedule": crontab(hour=3, minute=45),
    },
    "api-idempotency-keys-purge": {
        "task": "govportal.api.tasks.idempotency_keys_purge_task",
        "schedule": 3600.0,
    },
    "audit-verify-chain-nightly": {
        "task": "govportal.audit.tasks.audit_verify_chain",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- Payments --------------------------------------------------------------------------

# The built-in sandbox gateway (test cards, hosted card page, signed webhooks, settlement CSV).
# On by default in development; production turns it on only on purpose.
PAYMENT_SANDBOX = env_bool("PAYMENT_SANDBOX", default=DEBUG)
PAYMENT_SANDBOX_SECRET = env_secret("PAYMENT_SANDBOX_SECRET", "sandbox-dev-secret-0123456789" if DEBUG else "")
PAYMENT_SANDBOX_WEBHOOK_URL = env_str("PAYMENT_SANDBOX_WEBHOOK_URL", f"{SITE_URL}/collection/webhooks/sandbox/")
# The sandbox delivers each webhook at least once: this percentage twice, each after 0..N seconds.
PAYMENT_SANDBOX_DUPLICATE_PERCENT = env_int("PAYMENT_SANDBOX_DUPLICATE_PERCENT", 20)
PAYMENT_SANDBOX_MAX_DELAY = env_int("PAYMENT_SANDBOX_MAX_DELAY", 5)
PAYMENT_WEBHOOK_TOLERANCE = 300  # seconds between a webhook's timestamp and our clock
# The online card provider citizens are sent to.
PAYMENT_PROVIDER = env_str("PAYMENT_PROVIDER", "sandbox" if PAYMENT_SANDBOX else "fib")
# First Iraqi Bank web payments (OAuth2 client credentials).
FIB_BASE_URL = env_str("FIB_BASE_URL", "https://fib.stage.fib.iq").rstrip("/")
FIB_CLIENT_ID = env_str("FIB_CLIENT_ID")
FIB_CLIENT_SECRET = env_secret("FIB_CLIENT_SECRET")
FIB_TIMEOUT = env_int("FIB_TIMEOUT", 10)

# --- Sandbox national identity provider ---------------------------------------------------

# A simulated national identity platform (Ur / KRDPass) speaking OpenID Connect at /sandbox-idp/,
# for development, demos and tests. On by default in development; production turns it on only on purpose.
IDENTITY_SANDBOX = env_bool("IDENTITY_SANDBOX", default=DEBUG)
# The sandbox makes a new signing key when its newest is older than this many days.
IDENTITY_SANDBOX_KEY_DAYS = env_int("IDENTITY_SANDBOX_KEY_DAYS", 7)
# The portal's client secret at the sandbox provider (sandbox_idp.demo registers the portal with it).
IDENTITY_SANDBOX_CLIENT_SECRET = env_secret(
    "IDENTITY_SANDBOX_CLIENT_SECRET", "sandbox-idp-dev-secret-0123456789" if DEBUG else ""
)

# Housing fund: late fee per started month overdue, as a percentage of the overdue amount (0 = none).
HOUSING_LATE_FEE_PERCENT = env_int("HOUSING_LATE_FEE_PERCENT", 0)

# --- Accounts --------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "govportal.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# A subclass of allauth's form: it answers a national ID already registered as allauth answers an
# e-mail address already registered (below), without saying so on the page.
ACCOUNT_FORMS = {"signup": "govportal.accounts.forms.CitizenSignupForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
# The confirmation link signs the citizen in when opened in the browser they signed up in (allauth
# keeps the pending sign-in in that session); from another browser they confirm and then sign in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "govportal")
MFA_TOTP_TOLERANCE = 1  # accept the code of the previous/next 30 s window (clock drift, slow typing)
# Our forms only add their own message for a code used a moment ago (allauth calls it wrong).
MFA_FORMS = {
    "authenticate": "govportal.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "govportal.accounts.forms.MfaReauthenticateForm",
}

# --- National sign-in (OpenID Connect through allauth) --------------------------------------

SOCIALACCOUNT_ADAPTER = "govportal.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's generic provider, with the ID token's signature always checked and a nonce
        # (govportal/accounts/national_oidc/__init__.py says why).
        "provider_class": "govportal.accounts.national_oidc.provider.NationalOIDCProvider",
        "APPS": national_oidc_apps(
            sandbox_issuer=f"{SITE_URL}/sandbox-idp" if IDENTITY_SANDBOX else "",
            sandbox_secret=IDENTITY_SANDBOX_CLIENT_SECRET,
        ),
        "OAUTH_PKCE_ENABLED": True,
    }
}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never join accounts by an e-mail address
SOCIALACCOUNT_STORE_TOKENS = False
# Linking a national identity to a signed-in account asks for its password (unless typed minutes ago).
SOCIALACCOUNT_REAUTHENTICATION_REQUIRED = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the sign-in button posts (a link cannot start a sign-in)
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("NATIONAL_OIDC_TIMEOUT", 10)

# --- API for other systems (/api/v1/) -----------------------------------------------------

# django-oauth-toolkit: client credentials only; a client's scopes are its own (govportal.api.oauth).
OAUTH2_PROVIDER = {
    "SCOPES": {"bills:write": "bills:write", "bills:read": "bills:read", "verify": "verify"},
    "SCOPES_BACKEND_CLASS": "govportal.api.oauth.ClientScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 3600),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # RFC 9700 (the OAuth 2.0 Security BCP) throughout: tokens stored hashed, never in a URL, no
    # implicit or password grant, PKCE S256 only, `iss` in authorization responses, refresh replay caught.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named, so that ApiClient can point at it
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 - a model's name
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)  # calls a minute, per client
# Payment notifications posted to clients' endpoints (govportal.api.notifications): an answer within
# the timeout (seconds), retries after 1 min, 2, 4… (at most the cap apart) for a day, then given up.
API_NOTIFICATION_TIMEOUT = env_int("API_NOTIFICATION_TIMEOUT", 10)
API_NOTIFICATION_RETRY_FIRST = env_int("API_NOTIFICATION_RETRY_FIRST", 60)
API_NOTIFICATION_RETRY_CAP = env_int("API_NOTIFICATION_RETRY_CAP", 3600)
API_NOTIFICATION_GIVE_UP_AFTER = env_int("API_NOTIFICATION_GIVE_UP_AFTER", 24 * 3600)
# Endpoints must be HTTPS; development (and tests) may use plain HTTP to this machine's loopback.
API_NOTIFICATION_HTTP_LOOPBACK = DEBUG

# --- Internationalisation --------------------------------------------------------------

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("ckb", _("Kurdish (Sorani)")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "govportal_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
# locale_allauth/ holds Kurdish for allauth's own strings (allauth ships none); ours win over it.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
FORMAT_MODULE_PATH = ["govportal.formats"]
TIME_ZONE = "Asia/Baghdad"
USE_I18N = True
USE_TZ = True

# --- E-mail ----------------------------------------------------------------------------

MAILERS = {"default": parse_email_url(env_secret("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25"))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "govportal <no-reply@govportal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security --------------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env_bool("DJANGO_BEHIND_TLS_PROXY", default=True):
        # The load balancer terminates TLS and sets this header; it must strip it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# How many proxies (load balancers) in front of the portal append to X-Forwarded-For: the client
# address used for rate limits and the audit log is read that many hops from the end.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "DJANGO_TRUSTED_PROXY_COUNT", 1 if PRODUCTION and env_bool("DJANGO_BEHIND_TLS_PROXY", True) else 0
)

ADMINS = [("Operations", email) for email in env_list("DJANGO_ADMINS")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
FORM_RENDERER = "govportal.web.forms.PortalFormRenderer"
WHITENOISE_USE_FINDERS = DEBUG  # development serves static files straight from static/
WHITENOISE_AUTOREFRESH = DEBUG
