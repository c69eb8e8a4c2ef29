"""Settings shared by every environment.

Every environment variable the portal reads is declared once here (or in
production.py for the secrets that have no default), typed, with its default.
"""

import ipaddress
import os
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

import dj_database_url
from PIL import Image as PILImage

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Services, built from plain values so tests can call them with any environment ---
def cache_settings(redis_url: str, cache_dir: str, timeout: int = 300) -> dict:
    """Redis shared by every worker when REDIS_URL is set; else a per-process memory cache.

    `timeout` (CACHE_DEFAULT_TIMEOUT) is the life of a value stored without one of its own in
    "default" and "shared"; the page cache and remembered values set theirs.

    Wagtail keeps rendition lookups in the "renditions" alias when there is one
    (its own key prefix and a longer life: the keys hold the file's hash, so
    they never go stale). Without Redis it falls back to the default cache.

    "shared" holds what every worker process must agree on, the content
    generation (portal/pagecache.py): a publish in one gunicorn worker must
    empty the page cache of all of them. Redis is shared already; without it,
    a small file cache in CACHE_DIR is (one machine; several machines need Redis).
    """
    if not redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "portal",
                "TIMEOUT": timeout,
                # Pages, page parts, remembered values and renditions share it (Django's default
                # of 300 entries would drop them all the time); LRU beyond this.
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
            "shared": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": cache_dir,
                "TIMEOUT": timeout,
            },
        }
    # Redis down or slow costs a request a fraction of a second, once: portal.cache then serves
    # without it for a few seconds before asking again (and logs it once, not per request).
    redis = {
        "BACKEND": "portal.cache.ResilientRedisCache",
        "LOCATION": redis_url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    return {
        "default": {**redis, "KEY_PREFIX": "portal", "TIMEOUT": timeout},
        "shared": {**redis, "KEY_PREFIX": "portal", "TIMEOUT": timeout},
        "renditions": {**redis, "KEY_PREFIX": "portal-renditions", "TIMEOUT": 24 * 60 * 60},
    }


def task_backends(redis_url: str) -> dict:
    """settings.TASKS. Wagtail's own tasks (reference index, image focal points) run at once on
    "default", as it expects. The portal's — inquiries' e-mails, the daily housekeeping — go to
    "mail", which a worker runs (`make worker`; `make run` starts one): rows in the database, or
    with a Redis URL an RQ queue there (django-tasks-rq). Either way a mail server that is down
    loses nothing.
    """
    if not redis_url:
        return {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
            "mail": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        }
    return {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "mail": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    }


def rq_queues(redis_url: str) -> dict:
    """django-rq's queues for task_backends(redis_url); a task may run 10 minutes at most."""
    if not redis_url:
        return {}
    return {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}


def media_storage(bucket: str, endpoint_url: str, region_name: str, custom_domain: str) -> dict:
    """STORAGES["default"]: an S3-compatible bucket when one is named, else MEDIA_ROOT on disk.

    Media is public (the site shows it to everyone), so URLs carry no signature;
    uploads never overwrite a file of the same name (Wagtail expects a new name).
    Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (production.py
    requires them; elsewhere django-storages reads them from the environment).
    """
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "custom_domain": custom_domain or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }


def media_origins(bucket: str, endpoint_url: str, region_name: str, custom_domain: str) -> list[str]:
    """Where the browser loads media from besides the site itself (for the Content-Security-Policy)."""
    if not bucket:
        return []
    if custom_domain:
        return [f"https://{custom_domain}"]
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
    regional = [f"https://{bucket}.s3.{region_name}.amazonaws.com"] if region_name else []
    return [f"https://{bucket}.s3.amazonaws.com", *regional]


SEARCH_BACKENDS = ("elasticsearch7", "elasticsearch8", "elasticsearch9", "opensearch2", "opensearch3")


def search_backends(url: str, backend: str, index: str) -> dict:
    """Wagtail's search (the admin's): Elasticsearch/OpenSearch when a URL is given, else the database.

    The public search keeps its own per-language index (portal/search.py) either way.
    """
    if not url:
        return {"default": {"BACKEND": "wagtail.search.backends.database"}}
    if backend not in SEARCH_BACKENDS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"WAGTAILSEARCH_BACKEND={backend!r} is not one of {', '.join(SEARCH_BACKENDS)}.")
    return {
        "default": {
            "BACKEND": f"wagtail.search.backends.{backend}",
            "URLS": [url],
            "INDEX": index,
            "TIMEOUT": 5,
        }
    }


def frontend_cache(purge_url: str) -> dict:
    """wagtail.contrib.frontend_cache backends: an HTTP PURGE to the cache in front of the site (Varnish, nginx)."""
    if not purge_url:
        return {}
    return {"default": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": purge_url}}


def trusted_proxies(entries: list[str]) -> list[str]:
    """TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For is believed (portal/clientip.py).

    Addresses or CIDR networks, IPv4 or IPv6; a wrong one stops the start
    rather than failing every request.
    """
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (such as 10.0.0.2 or 10.0.0.0/24)."
            ) from None
    return entries


# --- Environment ----------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
REDIS_URL = env_str("REDIS_URL", "")
# Without Redis: where the worker processes share the content generation (cache_settings).
CACHE_DIR = env_str("CACHE_DIR", str(Path(tempfile.gettempdir()) / f"scoda-portal-{os.getuid()}-{BASE_DIR.name}"))
# Seconds a value stored without its own timeout stays in the "default" and "shared" caches (Django's 300).
CACHE_DEFAULT_TIMEOUT = env_int("CACHE_DEFAULT_TIMEOUT", 300)
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "")
AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN", "")
WAGTAILSEARCH_URL = env_str("WAGTAILSEARCH_URL", "")
WAGTAILSEARCH_BACKEND = env_str("WAGTAILSEARCH_BACKEND", "elasticsearch8")
WAGTAILSEARCH_INDEX = env_str("WAGTAILSEARCH_INDEX", "portal")
FRONTEND_CACHE_URL = env_str("FRONTEND_CACHE_URL", "")
# The font file share cards are drawn in (portal/sharecards.py); empty: Noto Sans CJK, found at
# Debian's path or through fontconfig. It needs Chinese, Cyrillic and Latin glyphs.
SHARE_CARD_FONT = env_str("SHARE_CARD_FONT", "")
# The approval number of the zone map's base map (审图号, e.g. "GS(2024)1234号"), shown under the
# map: a map with national boundaries published in mainland China needs one (zones/data/README.md).
ZONE_MAP_APPROVAL_NUMBER = env_str("ZONE_MAP_APPROVAL_NUMBER", "")
# E-mail (password resets, moderation notices): SMTP, STARTTLS on the submission port unless
# EMAIL_USE_SSL (then port 465). Development prints mails instead (dev.py); production requires
# EMAIL_HOST and DEFAULT_FROM_EMAIL, and the password (a secret, no default) when a user is set.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds; a dead mail server must not hold a request for long
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
# Where Django's own mails (errors to ADMINS) come from; empty: DEFAULT_FROM_EMAIL.
SERVER_EMAIL = env_str("SERVER_EMAIL", "") or DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on; set one of them (STARTTLS or TLS).")
# --- Inquiries (portal/inquiries) ---
# Working days within which the desk promises an answer (confirmation page and auto-reply).
INQUIRY_RESPONSE_DAYS = env_int("INQUIRY_RESPONSE_DAYS", 5)
# Where new inquiries are announced when their zone has no contact e-mail (the central desk).
INQUIRY_DESK_EMAILS = env_list("INQUIRY_DESK_EMAILS", [DEFAULT_FROM_EMAIL])
# Stored inquiries per hour from one client address (an IPv6 /64) and for one e-mail address.
INQUIRY_RATE_LIMIT_PER_IP = env_int("INQUIRY_RATE_LIMIT_PER_IP", 5)
INQUIRY_RATE_LIMIT_PER_EMAIL = env_int("INQUIRY_RATE_LIMIT_PER_EMAIL", 5)
# Seconds a person needs at least to fill in the form; faster is held for review.
INQUIRY_MIN_FILL_SECONDS = env_int("INQUIRY_MIN_FILL_SECONDS", 3)
# Links a message may hold before it is held for review.
INQUIRY_MAX_LINKS = env_int("INQUIRY_MAX_LINKS", 3)
# Proof of work (ALTCHA, PBKDF2/SHA-256): iterations per try; about 256 tries are needed on average.
INQUIRY_POW_COST = env_int("INQUIRY_POW_COST", 5000)
# A failed e-mail is tried again after INQUIRY_MAIL_RETRY_SECONDS (doubling each time); INQUIRY_MAIL_RETRIES tries.
INQUIRY_MAIL_RETRIES = env_int("INQUIRY_MAIL_RETRIES", 6)
INQUIRY_MAIL_RETRY_SECONDS = env_int("INQUIRY_MAIL_RETRY_SECONDS", 60)
# Months an inquiry keeps its personal data after it was received (calendar months); then the
# daily housekeeping blanks it (portal/inquiries/privacy.py). Keep it to what the privacy notice says.
INQUIRY_RETENTION_MONTHS = env_int("INQUIRY_RETENTION_MONTHS", 24)
# Hour of the day (site time, TIME_ZONE) the housekeeping task runs: retention, old task results.
HOUSEKEEPING_HOUR = env_int("HOUSEKEEPING_HOUR", 3)
# Days the database queue keeps finished task results (what was sent, what failed) before pruning.
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 14)
# The "mail" task queue (inquiries' e-mails, housekeeping) in Redis (django-tasks-rq) instead of
# the database, e.g. redis://queue.internal:6379/0. Not REDIS_URL's Redis by default: the cache's
# evicts keys when full (maxmemory-policy allkeys-lru, README), and an evicted job is a lost e-mail;
# this one needs maxmemory-policy noeviction. `manage.py mail_worker` runs the matching worker.
TASK_QUEUE_REDIS_URL = env_str("TASK_QUEUE_REDIS_URL", "")
# Reverse proxies (addresses, CIDR networks) whose X-Forwarded-For is believed; none by default.
TRUSTED_PROXIES = trusted_proxies(env_list("TRUSTED_PROXIES", []))

# --- Applications ---------------------------------------------------------
INSTALLED_APPS = [
    # wagtail_modeltranslation patches Wagtail's admin and must come first.
    "wagtail_modeltranslation",
    "wagtail_modeltranslation.makemigrations",
    "wagtail_modeltranslation.migrate",
    "portal",
    "portal.search",
    "portal.seo",
    "portal.l10n",
    "portal.inquiries",
    "news",
    "zones",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "portal.frontend_cache",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (production); in development runserver serves them first.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and other text compressed when the client accepts it (static files come compressed
    # already); Django adds random bytes against BREACH. A proxy that compresses may do it instead.
    "django.middleware.gzip.GZipMiddleware",
    # ETag from the body, 304 for a matching If-None-Match (cached pages too).
    "django.middleware.http.ConditionalGetMiddleware",
    # 503 with Retry-After instead of a 500 while the database is away (outside all that asks it).
    "portal.unavailable.DatabaseUnavailableMiddleware",
    # Answers anonymous repeat visits before sessions, languages or the database are touched.
    "portal.pagecache.PageCacheMiddleware",
    # Cache-Control: public for pages anyone may see, private, no-store for the rest.
    "portal.pagecache.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # django-axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

# Seconds an anonymous visitor's page stays in the full-page cache (portal/pagecache.py); 0: off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0)
# New pages one client address may add to that cache per minute; beyond, it is served uncached.
PAGE_CACHE_NEW_PAGES_PER_CLIENT = env_int("PAGE_CACHE_NEW_PAGES_PER_CLIENT", 60)
# Cache-Control of public pages (portal/pagecache.py). Browsers revalidate at once by default
# (an ETag makes that a 304), so a publish shows on the next click; shared caches (a CDN, which
# wagtail.contrib.frontend_cache purges on publish) keep a page s-maxage seconds and may serve
# it stale-while-revalidate seconds longer while they fetch the new one.
HTTP_CACHE_MAX_AGE = env_int("HTTP_CACHE_MAX_AGE", 0)
HTTP_CACHE_S_MAXAGE = env_int("HTTP_CACHE_S_MAXAGE", 300)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env_int("HTTP_CACHE_STALE_WHILE_REVALIDATE", 60)
# Seconds a rendered page part stays in the fragment cache (portal/fragments.py): it is keyed on
# what it shows, so this only bounds how long unused parts take room; 0: no fragments kept.
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 24 * 60 * 60)
# The name of the running code in every cache key (portal.cache.release): set it to the commit on
# deploy; left empty, a digest of the source files is used.
RELEASE = env_str("RELEASE", "")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Languages ------------------------------------------------------------
# The one place the portal's languages are declared; portal/i18n.py reads them.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "中文"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("ru", "Русский"),
]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LOCALE_PATHS = [PROJECT_DIR / "locale"]
# Dates written one way per language everywhere (portal/formats: English day-month-year).
FORMAT_MODULE_PATH = ["portal.formats"]

MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
# de/ru → en → zh-hans; en → zh-hans; zh-hans is the source language.
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": (LANGUAGE_CODE,),
    "de": ("en", LANGUAGE_CODE),
    "ru": ("en", LANGUAGE_CODE),
}
WAGTAILMODELTRANSLATION_TRANSLATE_SLUGS = True
# The editor shows every language at once: translators see the source beside their language.
WAGTAILMODELTRANSLATION_LOCALE_PICKER_DEFAULT = tuple(code for code, _name in LANGUAGES)
# Slugs are ASCII: pinyin for Chinese, transliteration for Russian (portal/i18n.py).
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": media_storage(AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_S3_CUSTOM_DOMAIN),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Upload limits, checked by Wagtail's forms. The proxy in front must accept bodies
# a little larger than WAGTAILDOCS_MAX_UPLOAD_SIZE (nginx: client_max_body_size 30m).
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Pixels, not bytes: a small file can decode to gigabytes (a decompression bomb).
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Willow decodes the whole image before Wagtail compares its size with the limit above.
# Pillow checks the header first and raises beyond twice its MAX_IMAGE_PIXELS, so it
# refuses the same images before decoding them (the upload form shows "too many pixels");
# below that it only warns, which says nothing the limit does not.
PILImage.MAX_IMAGE_PIXELS = WAGTAILIMAGES_MAX_IMAGE_PIXELS // 2
warnings.filterwarnings("ignore", category=PILImage.DecompressionBombWarning)
# Refuses an image that does not decode to the end (truncated, corrupt) with a form error.
WAGTAILIMAGES_IMAGE_FORM_BASE = "portal.images.ImageForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = 25 * 1024 * 1024
# Form fields (not files) of one request: four languages of a long page fit many times over.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The page editor of a four-language page holds many fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Caches and sessions --------------------------------------------------
CACHES = cache_settings(REDIS_URL, CACHE_DIR, CACHE_DEFAULT_TIMEOUT)
# Sessions are read from the cache and written through to the database, so
# they survive a Redis restart and work with the per-process memory cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = _("SCODA Portal")
WAGTAILSEARCH_BACKENDS = search_backends(WAGTAILSEARCH_URL, WAGTAILSEARCH_BACKEND, WAGTAILSEARCH_INDEX)
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Draftail, refusing posts it cannot read and links or images without a valid id (portal/richtext.py).
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "portal.richtext.DraftailRichTextArea"}}
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# The admin would otherwise load from wagtail.io and gravatar.com: nothing leaves the site.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Purging follows publishing in every language (portal/frontend_cache). Wagtail's own
# language handling only swaps the /xx/ prefix, which misses the translated slugs.
WAGTAILFRONTENDCACHE = frontend_cache(FRONTEND_CACHE_URL)
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Background tasks ---------------------------------------------------
TASKS = task_backends(TASK_QUEUE_REDIS_URL)
RQ_QUEUES = rq_queues(TASK_QUEUE_REDIS_URL)
if TASK_QUEUE_REDIS_URL:
    INSTALLED_APPS.append("django_rq")

# --- Login ----------------------------------------------------------------
# django-axes counts failed logins (the Wagtail admin's included) per username
# *and* address: an attacker elsewhere cannot lock an editor out, and a
# lock-out lifts by itself after the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address: the socket's peer, or behind TRUSTED_PROXIES the address they saw.
AXES_CLIENT_IP_CALLABLE = "portal.clientip.client_ip"

# --- Content-Security-Policy ----------------------------------------------
# Enforced by portal.csp.CSPMiddleware, which production.py adds (the admin gets
# its own relaxations there). The public site runs no script of its own; JSON-LD
# blocks are data, which CSP does not execute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *media_origins(AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_S3_CUSTOM_DOMAIN),
        ],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        # Wagtail's preview panel shows the page in a frame of the admin.
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
