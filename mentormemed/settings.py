"""One environment-driven settings module.

Development defaults (SQLite file, console e-mail, DEBUG) make a fresh clone run
with nothing configured; ``DJANGO_ENV=production`` switches on the deployment
checklist settings and refuses to start without a real ``SECRET_KEY``.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# Django's technical 404/500 pages (URL list, traceback) instead of the product's error pages.
TECHNICAL_ERROR_PAGES = env.bool("TECHNICAL_ERROR_PAGES", default=False)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_rq",  # `manage.py rqworker` when TASKS_BACKEND=django_tasks_rq.RQBackend (docs/operations.md)
    "mentormemed.core",
    "mentormemed.accounts",
    "mentormemed.institutions",
    "mentormemed.profiles",
    "mentormemed.matching",
    "mentormemed.mentorships",
    "mentormemed.training",
    "mentormemed.scheduling",
    "mentormemed.evaluations",
    "mentormemed.outcomes",
    "mentormemed.programs",
    "mentormemed.notifications",
    "mentormemed.care",
    "mentormemed.sso",
    "mentormemed.provisioning",
    "mentormemed.lifecycle",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "mentormemed.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mentormemed.core.middleware.ActingMembershipMiddleware",
    "mentormemed.core.middleware.UserTimeZoneMiddleware",
    "mentormemed.core.middleware.UserLanguageMiddleware",
    "mentormemed.core.middleware.MfaRequiredMiddleware",
    "mentormemed.core.middleware.PrivatePagesMiddleware",
    "mentormemed.notifications.middleware.MarkOpenedMiddleware",
    "mentormemed.core.errors.ErrorPagesMiddleware",
]

ROOT_URLCONF = "mentormemed.urls"
WSGI_APPLICATION = "mentormemed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mentormemed" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentormemed.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the task worker and the web process share the file without locking errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: every statement of a page is short, and PostgreSQL's JIT spent ~20 ms
    # compiling a 20-row card query whose estimate crossed jit_above_cost. No parallel workers for a
    # page's statement: on a busy web server the cores are already shared by the requests, and the
    # recommendations' scan spent more CPU in its two workers than it saved (docs/decisions.md, issue 14).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c max_parallel_workers_per_gather=0"
    )
# A read replica (streaming replication of the primary) takes the outcomes figures and research
# exports' reads; every write, and every other read, stays on the primary (core.routers).
if "DATABASE_REPLICA_URL" in env:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db_url("DATABASE_REPLICA_URL"),
        "ATOMIC_REQUESTS": False,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["mentormemed.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The default (per-process memory) is for one process; production runs several, and refuses to start
# without a shared cache (core.checks): CACHE_URL=redis://host:6379/1.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_REDIRECT_URL = "core:home"

# django-allauth: e-mail login, verified addresses, signup only through an invitation.
ACCOUNT_ADAPTER = "mentormemed.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Throttling / lockout (OWASP ASVS 2.2.1): failed logins per IP and per account.
    "login_failed": env.str("LOGIN_FAILED_RATE", default="10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_ADAPTER = "mentormemed.sso.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkeys for everyone: a passkey signs in on its own (it is two factors in one) or serves as
# the second factor after a password.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=not PRODUCTION)
MFA_TOTP_ISSUER = "MentorMeMed"
# RFC 6238 §5.2: accept the neighbouring 30-second step, so a code typed as it rolls over (or a
# phone a few seconds off) still works; a used code is refused again within its period.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10

# Campus sign-in (R33): per-institution SAML and OpenID Connect apps live in the database
# (allauth SocialApp + sso.IdentityProvider); nothing here names an institution.
SOCIALACCOUNT_ADAPTER = "mentormemed.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the institution's IdP vouches for the address
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # binding rules decide (sso.services.sign_in_bind)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {"saml": {"provider_class": "mentormemed.sso.providers.CampusSAMLProvider"}}
SSO_CONTACT_EMAIL = env.str("SSO_CONTACT_EMAIL", default="support@mentormemed.org")

LANGUAGE_CODE = "en"
# The product speaks English and Spanish: sign-in pages follow the browser (LocaleMiddleware), every
# other page and every e-mail follow the person's own setting (User.language).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "mentormemed" / "locale"]
FORMAT_MODULE_PATH = ["mentormemed.core.formats"]  # English times as "4:30 PM" (core/dates.py)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "mentormemed" / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MentorMeMed <no-reply@mentormemed.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support@mentormemed.org")  # shown where people need a person
# Vulnerability reports (/.well-known/security.txt, docs/security.md); an optional public disclosure policy page.
SECURITY_CONTACT_EMAIL = env.str("SECURITY_CONTACT_EMAIL", default="security@mentormemed.org")
SECURITY_POLICY_URL = env.str("SECURITY_POLICY_URL", default="")

# Client addresses in the audit log (django-ipware; docs/operations.md "Client addresses"): how many
# proxies besides the client appear in X-Forwarded-For (0 for one nginx appending $remote_addr),
# and optionally their addresses or networks.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])

# No wait on the mail server is unbounded: a server that accepts and never answers costs one
# worker EMAIL_TIMEOUT seconds, then the send is retried later (docs/operations.md).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# A "sending" outbox row whose worker has not finished within this many seconds is taken over.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)

# Two queues: "default" (the sweep, imports, exports) and "email" (outbox delivery), each with its
# own worker, so a mail outage never stalls expiries and reminders (`manage.py worker --queue-name …`).
TASK_QUEUES = ["default", "email"]
# A RUNNING task whose worker has not beaten for this long goes back to the queue (core.workers).
WORKER_LEASE_SECONDS = env.int("WORKER_LEASE_SECONDS", default=60)
# Readiness (/readyz) and the alert conditions: the oldest due task or e-mail waits at most this long,
# and a sweep has finished within this many minutes.
READY_QUEUE_MAX_MINUTES = env.int("READY_QUEUE_MAX_MINUTES", default=15)
READY_SWEEP_MAX_MINUTES = env.int("READY_SWEEP_MAX_MINUTES", default=30)
# /metrics answers staff, or a scraper sending "Authorization: Bearer <METRICS_TOKEN>" (unset: staff only).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The task engine: the database (default: nothing else to run) or Redis with RQ
# (TASKS_BACKEND=django_tasks_rq.RQBackend, REDIS_URL; workers `manage.py rqworker default --with-scheduler`
# and `manage.py rqworker email`, docs/operations.md "When one machine is not enough").
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,
    }
}
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# A job running longer than this is stopped by RQ; the sweep lock's lease (20 min) bounds the longest pass.
RQ_JOB_TIMEOUT = env.int("RQ_JOB_TIMEOUT", default=20 * 60)
RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": RQ_JOB_TIMEOUT if name != "email" else 5 * EMAIL_TIMEOUT}
    for name in TASK_QUEUES
}
RQ = {
    "JOB_CLASS": "django_tasks_rq.Job",  # runs django-tasks Tasks (the product's @task functions)
    "WORKER_CLASS": "mentormemed.core.redis_queue.Worker",  # names the sweep lock's holder (core.periodic.claim_run)
    "DEFAULT_RESULT_TTL": 7 * 24 * 3600,  # finished results kept a week (like prune_db_task_results)
}

# Product settings: every default and its meaning are in mentormemed/core/conf.py. A deployment
# may set these from its environment; any other key of MMM overrides its default when set here.
MMM = {name: env.int(name) for name in ("INVITATION_DAYS", "RESPONSE_WINDOW_DAYS", "SMALL_CELL_MIN") if name in env}
MMM.update({name: env.str(name) for name in ("OUTCOMES_PRIVACY",) if name in env})
MMM.update({name: env.float(name) for name in ("OUTCOMES_DP_EPSILON", "OUTCOMES_DP_BUDGET") if name in env})

# Invoices (R3): who bills, where to pay. Set these for a real deployment; the defaults are the
# demo's fictitious company and bank details.
INVOICE = {
    "SELLER_NAME": env.str("INVOICE_SELLER_NAME", default="MentorMeMed, Inc."),
    "SELLER_ADDRESS": env.str("INVOICE_SELLER_ADDRESS", default="100 Federal Street, Suite 400|Boston, MA 02110"),
    "SELLER_EMAIL": env.str("INVOICE_SELLER_EMAIL", default="billing@mentormemed.org"),
    "SELLER_PHONE": env.str("INVOICE_SELLER_PHONE", default="(617) 555-0142"),
    "SELLER_TAX_ID": env.str("INVOICE_SELLER_TAX_ID", default="EIN 00-0000000"),
    "REMIT_TO": env.str(
        "INVOICE_REMIT_TO", default="MentorMeMed, Inc.|Attn: Accounts Receivable|PO Box 2040|Boston, MA 02106"
    ),
    "PAYMENT_INSTRUCTIONS": env.str(
        "INVOICE_PAYMENT_INSTRUCTIONS",
        default="ACH or wire: Example Community Bank, routing 011000000, account 000123456789 "
        "(MentorMeMed, Inc.).|Cheque: payable to MentorMeMed, Inc., mailed to the remit-to address.|"
        "Card: call the number above.",
    ),
    "TERMS": env.str("INVOICE_TERMS", default="Net 30"),
}

# CME (R22): the accredited provider issuing AMA PRA Category 1 Credit™ in this deployment.
# Statements may use {provider} and {credits}; empty means the standard wording (training/conf.py).
CME_PROVIDER_NAME = env.str("CME_PROVIDER_NAME", default="MentorMeMed Continuing Medical Education")
CME_DESIGNATION_STATEMENT = env.str("CME_DESIGNATION_STATEMENT", default="")
CME_ACCREDITATION_STATEMENT = env.str("CME_ACCREDITATION_STATEMENT", default="")
# The provider's address and the person who signs its certificates ("|" between lines).
CME_PROVIDER_ADDRESS = env.str("CME_PROVIDER_ADDRESS", default="100 Federal Street, Suite 400|Boston, MA 02110")
CME_SIGNATORY_NAME = env.str("CME_SIGNATORY_NAME", default="Dr. Helena Marsh, MD, MPH")
CME_SIGNATORY_TITLE = env.str("CME_SIGNATORY_TITLE", default="Director of Continuing Medical Education")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every script and style is served from our own origin (no CDN, no inline script). Inline
# style *attributes* (sizes of chart boxes, progress bars) are the one allowance left.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# No page needs a device feature; meetings open in the video service's own tab.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
