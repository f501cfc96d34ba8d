"""Settings for Enhance Desk, read from the environment (see README and .env.example)."""

import math
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.crypto import salted_hmac
from dotenv import load_dotenv

from enhancer.jobs.timing import longest_step_seconds
from hitpaw_site.env import env_bool, env_float, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")


def _secret_key() -> str:
    """Use DJANGO_SECRET_KEY, or a random key kept in a local file so sessions survive restarts."""
    global SECRET_KEY_FROM_FILE
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        return key
    # Each host would make its own: fine for development, a broken login behind a load balancer
    # (the `enhancer.W005` check says so when DEBUG is off).
    SECRET_KEY_FROM_FILE = True
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        # Created owner-only, never readable by others even for a moment.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY_FROM_FILE = False
SECRET_KEY = _secret_key()
# Set by `make run` and `rundesk`: everything runs on this one machine, so warnings about several
# servers (the host-made key's `enhancer.W005`) do not apply. run-prod and `check --deploy` keep them.
SINGLE_HOST = env_bool("ENHANCER_SINGLE_HOST", False)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
PORT = env_int("PORT", 8000, minimum=1)

# --- HitPaw ---------------------------------------------------------------------------
HITPAW_API_KEY = env_str("HITPAW_API_KEY")
HITPAW_BASE_URL = env_str("HITPAW_BASE_URL", "https://api-base.hitpaw.com").rstrip("/")
# With no key the app runs in sandbox mode against its own simulator, over HTTP.
SANDBOX_MODE = not HITPAW_API_KEY
SANDBOX_APPS = ["enhancer.sandbox"] if SANDBOX_MODE else []

INSTALLED_APPS = [
    "enhancer.admin_site.TeamAdminConfig",  # django.contrib.admin, with the site for people
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "ninja",  # the JSON API's docs page and its scripts, served from our own static files
    "enhancer",
    *SANDBOX_APPS,
    "csp",  # Content-Security-Policy, below
    "axes",  # login throttling, below
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy, below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an oversized body with 413 before it is read (ENHANCER_MAX_REQUEST_BYTES, below).
    "enhancer.web.request_size.RequestSizeLimit",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "enhancer.web.middleware.PrivatePages",
    # Login throttling (django-axes), last as it asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hitpaw_site.urls"
WSGI_APPLICATION = "hitpaw_site.wsgi.application"

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
                "enhancer.web.context_processors.banners",
            ],
        },
    },
]

# SQLite, through Django's own options: transactions take the one write lock at BEGIN (IMMEDIATE)
# and wait up to `timeout` seconds for it, and the write-ahead log lets readers go on meanwhile,
# or the web server and the task cluster meet "database is locked" at once. `synchronous=FULL`
# puts every commit on disk before it returns, so a power cut undoes nothing anyone was shown.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
}
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=0
    )
}
# Django's persistent connections, checked before reuse (a restarted database costs one failed
# check, not an error page): each web thread and worker keeps one, so a pool (psycopg_pool, not
# installed) would add a dependency and save nothing here.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 300, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Two of Django's PostgreSQL options: parameters sent apart from the SQL, and a statement a
        # connection runs a 5th time prepared there, so PostgreSQL stops parsing and planning the
        # pipeline's few statements anew. Off behind a pooler in transaction mode that cannot keep
        # prepared statements (PgBouncer before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    # A file, not memory, so a real task cluster started by the tests can share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("DJANGO_TEST_DB_NAME")
        or str(Path(tempfile.gettempdir()) / f"enhance-desk-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database: every request reads its session,
    # and an ORM read costs several times a Redis GET here (docs/benchmarks.md, end to end).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # django-q2 keeps cluster stats in the cache: it must be shared across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "enhancer_cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("ENHANCER_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Stored photos and their folders are the server user's alone, whatever the process's umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def media_storage() -> dict:
    """Where originals and results go: MEDIA_ROOT, or with ENHANCER_S3_BUCKET an S3-compatible bucket.

    A bucket is how several web and worker hosts share media. Credentials come from the standard
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), read by boto3 itself, never
    copied into settings. Objects stay private: pages serve them through our own views, which check
    who asks, so no public or presigned bucket URL is ever handed out.
    """
    bucket = env_str("ENHANCER_S3_BUCKET")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "enhancer.media.s3.SharedS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("ENHANCER_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, R2, ...
            "region_name": env_str("ENHANCER_S3_REGION") or None,
            "default_acl": None,  # no ACL sent: the bucket's own (private) policy applies
            "querystring_auth": True,  # were a URL ever made, it would be signed and expire
            "file_overwrite": False,  # django-storages overwrites by default; our names must stay unique
            # Making a thumbnail reads the photo into a temporary file: on disk past this size.
            "max_memory_size": 8 * 1024 * 1024,
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SANDBOX_BASE_URL = env_str("ENHANCER_SANDBOX_BASE_URL", f"http://127.0.0.1:{PORT}/sandbox")
SANDBOX_CONVERT_SECONDS = env_float("ENHANCER_SANDBOX_CONVERT_SECONDS", 3.0)
# The one key the simulator accepts: derived from SECRET_KEY, so every host of one install agrees on
# it with no extra file, and nobody outside can compute it.
SANDBOX_KEY = salted_hmac("enhancer.sandbox.key", "client", secret=SECRET_KEY, algorithm="sha256").hexdigest()
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")

# --- Job pipeline ---------------------------------------------------------------------
ENHANCER_ALLOW_PRIVATE_URLS = env_bool("ENHANCER_ALLOW_PRIVATE_URLS", False)
ENHANCER_POLL_INTERVAL_SECONDS = env_float("ENHANCER_POLL_INTERVAL_SECONDS", 5.0, minimum=0.1)
ENHANCER_JOB_DEADLINE_SECONDS = env_int("ENHANCER_JOB_DEADLINE_SECONDS", 1800, minimum=1)
ENHANCER_MAX_IMAGE_BYTES = env_int("ENHANCER_MAX_IMAGE_BYTES", 50 * 1024 * 1024, minimum=1)
# A 432 MP result (HitPaw's largest) can pass 1 GB as a PNG; see the README.
ENHANCER_MAX_RESULT_BYTES = env_int("ENHANCER_MAX_RESULT_BYTES", 1536 * 1024 * 1024, minimum=1)
ENHANCER_CONNECT_TIMEOUT = env_float("ENHANCER_CONNECT_TIMEOUT", 5.0, minimum=0.1)
ENHANCER_READ_TIMEOUT = env_float("ENHANCER_READ_TIMEOUT", 15.0, minimum=0.1)
# One download (original or result) gives up after this long; it is tried again later.
ENHANCER_FETCH_SECONDS = env_float("ENHANCER_FETCH_SECONDS", 60.0, minimum=1.0)
# A result can pass a gigabyte (432 MP). Its download must fit in a job's lease and a task's
# timeout (raise ENHANCER_LEASE_SECONDS with it; a start-up check warns).
ENHANCER_RESULT_FETCH_SECONDS = env_float("ENHANCER_RESULT_FETCH_SECONDS", 60.0, minimum=1.0)
# A claimed job is another worker's to take once its lease runs out (the worker died). Longer than
# any step (3 tries of connect + read timeouts, or a download and the storing of its file), and so
# is the task timeout below; short enough to recover quickly.
LONGEST_STEP_SECONDS = longest_step_seconds(
    connect=ENHANCER_CONNECT_TIMEOUT,
    read=ENHANCER_READ_TIMEOUT,
    fetch=ENHANCER_FETCH_SECONDS,
    result_fetch=ENHANCER_RESULT_FETCH_SECONDS,
    max_image_bytes=ENHANCER_MAX_IMAGE_BYTES,
    max_result_bytes=ENHANCER_MAX_RESULT_BYTES,
)
ENHANCER_LEASE_SECONDS = env_int("ENHANCER_LEASE_SECONDS", math.ceil(LONGEST_STEP_SECONDS) + 30, minimum=5)
# A paid result is downloaded again and again (backing off up to an hour, asking HitPaw for a fresh
# link before each try) for this long after the paid call; never past HitPaw's 8 days.
ENHANCER_RESULT_RETRY_SECONDS = env_int("ENHANCER_RESULT_RETRY_SECONDS", 8 * 24 * 3600, minimum=1)
# With PUBLIC_BASE_URL set, HitPaw fetches our checked copy of the photo through a signed link
# that expires after this long.
ENHANCER_ORIGINAL_LINK_SECONDS = env_int("ENHANCER_ORIGINAL_LINK_SECONDS", 3600, minimum=60)
# The most photos one upload may send (each file is its own job in one batch).
ENHANCER_MAX_PHOTOS_PER_SUBMIT = env_int("ENHANCER_MAX_PHOTOS_PER_SUBMIT", 50, minimum=1)
# The most links one paste may send: one batch, sent at ENHANCER_SUBMISSIONS_PER_MINUTE's pace.
ENHANCER_MAX_LINKS_PER_SUBMIT = env_int("ENHANCER_MAX_LINKS_PER_SUBMIT", 500, minimum=1)
# The largest request body, refused with 413 before it is read (enhancer/web/request_size.py):
# a logged-in person's (by default twenty photos at the upload limit, plus the form), and anyone
# else's (a login form or the sandbox's JSON: small).
ENHANCER_MAX_REQUEST_BYTES = env_int(
    "ENHANCER_MAX_REQUEST_BYTES",
    ENHANCER_MAX_IMAGE_BYTES * min(ENHANCER_MAX_PHOTOS_PER_SUBMIT, 20) + 1024 * 1024,
    minimum=1024 * 1024,
)
ENHANCER_MAX_ANONYMOUS_REQUEST_BYTES = env_int(
    "ENHANCER_MAX_ANONYMOUS_REQUEST_BYTES", 256 * 1024, minimum=16 * 1024
)

# --- django-q2 (docs/architecture.md: retry > timeout + prefetch wait; queue_limit ≈ workers)
# A task never outlives a job lease (so no live worker's job is handed out again), and has room to
# run a batch's steps; the broker's retry comes only after the timeout plus a margin for queueing.
Q_WORKERS = env_int("ENHANCER_WORKERS", 4, minimum=2)
Q_TIMEOUT = int(max(ENHANCER_LEASE_SECONDS - 10, 80))
Q_CLUSTER: dict[str, Any] = {  # django-q2's options: numbers, names, a broker address
    # The same on every host: with Redis it is the queue's key (django-q2's Q_CLUSTER_NAME would
    # split the queue), so hosts named apart would not share the work.
    "name": "enhance-desk",
    "workers": Q_WORKERS,
    "queue_limit": Q_WORKERS,
    "timeout": Q_TIMEOUT,
    "retry": Q_TIMEOUT + 90,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    # Successful tasks are not kept (-1): django-q2 reads every kept one to prune one, a cost on
    # every task (docs/benchmarks.md). Failed tasks are always kept; a job's timeline is its record.
    "save_limit": -1,
    "poll": 0.3,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "enhancer": {"level": env_str("ENHANCER_LOG_LEVEL", "INFO")},
        "django_q": {"level": "WARNING"},
    },
}

# --- Security (docs/security.md) -------------------------------------------------------
# DJANGO_HTTPS=true, behind TLS: secure cookies, HSTS, the HTTPS redirect and the proxy's header
# saying the request came over https. `check --deploy --fail-level WARNING` passes with it.
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe over plain http; in sandbox mode the app calls its own simulator on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^sandbox/"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
# Messages live in the session, not in a readable cookie: one of them carries a one-time
# set-password link for a new teammate.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by enhancer.web.middleware.PrivatePages on every response.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Content-Security-Policy (django-csp): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # blob: lets the submit page read the size of a photo chosen for upload, in the browser.
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Login throttling (django-axes): after a few wrong passwords for one username from one address,
# that pair waits out a cool-off (never a permanent lockout an admin must lift).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ENHANCER_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("ENHANCER_LOGIN_COOLOFF_MINUTES", 15.0, minimum=0.1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cool-off always ends
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "enhancer.web.client_ip.client_ip"
AXES_VERBOSE = False
# Behind a proxy, the header it puts the client's address in (e.g. X-Forwarded-For): the address
# the proxy appended (the right-most) is used. Unset: the connection's own address.
ENHANCER_CLIENT_IP_HEADER = env_str("ENHANCER_CLIENT_IP_HEADER")
# The proxies whose header is believed (addresses or CIDR networks): a request from anywhere else
# is counted by its connection's own address, so a client reaching the app server directly cannot
# dodge the login cool-off by sending a new address in the header each time.
ENHANCER_TRUSTED_PROXIES = env_networks("ENHANCER_TRUSTED_PROXIES", "127.0.0.1,::1")

# Most photos of one person sent to HitPaw per minute; more are taken and wait their turn.
ENHANCER_SUBMISSIONS_PER_MINUTE = env_int("ENHANCER_SUBMISSIONS_PER_MINUTE", 60, minimum=1)
# /healthz tells the public only whether the database answers; the rest needs a login or this token
# (sent as `Authorization: Bearer <token>`). Empty: login only.
ENHANCER_HEALTH_TOKEN = env_str("ENHANCER_HEALTH_TOKEN")
