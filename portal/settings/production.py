"""Production: behind an HTTPS reverse proxy, served by gunicorn (`make serve`).

Secrets and the database have no default here: a missing one stops the start
with ImproperlyConfigured naming it. The variables only production reads
(CONN_MAX_AGE, SECURE_*, LOG_LEVEL) are declared here too. The proxies whose
X-Forwarded-For is believed are base.py's TRUSTED_PROXIES (none unless set).
"""

import os

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

from portal.csp import with_csp

from .base import *  # noqa: F403
from .base import AWS_STORAGE_BUCKET_NAME, MIDDLEWARE, env_bool, env_int, env_list, env_str


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required by portal.settings.production.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    required("ALLOWED_HOSTS")
PORTAL_CREATE_DEMO_USERS = False

# --- Database: persistent connections, checked before reuse ---------------
DATABASE_URL = required("DATABASE_URL")
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)}

# --- Media on S3-compatible storage: keys are secrets ---------------------
if AWS_STORAGE_BUCKET_NAME:
    AWS_ACCESS_KEY_ID = required("AWS_ACCESS_KEY_ID")
    AWS_SECRET_ACCESS_KEY = required("AWS_SECRET_ACCESS_KEY")

# --- E-mail: password resets must reach the editors (base.py: port, TLS) --
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = required("EMAIL_HOST")
DEFAULT_FROM_EMAIL = required("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = env_str("SERVER_EMAIL", "") or DEFAULT_FROM_EMAIL
EMAIL_HOST_PASSWORD = required("EMAIL_HOST_PASSWORD") if EMAIL_HOST_USER else ""

# --- HTTPS behind the reverse proxy ---------------------------------------
# The proxy terminates TLS and must set X-Forwarded-Proto (and overwrite any
# value a client sent).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's health check may speak plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading binds the whole registered domain and every subdomain to HTTPS in
# the browsers' built-in lists, for months after a change of mind; that is the
# domain owner's decision, not the portal's, so it is off unless asked for.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Content-Security-Policy (portal/csp.py) and static files -------------
MIDDLEWARE = with_csp(MIDDLEWARE)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging: to stderr, which gunicorn and the service manager collect ----
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    # Django's default sends request errors only to ADMINS by mail; log them instead.
    "loggers": {"django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False}},
}

# Anonymous pages are cached; any publish empties the cache (portal/pagecache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
