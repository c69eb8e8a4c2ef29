from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105 (test settings only)
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".pytest-media"
PORTAL_CREATE_DEMO_USERS = True
WAGTAILADMIN_BASE_URL = "http://testserver"

# One test process: its generation stays its own, so two test runs on one machine never
# empty each other's caches (tests/test_remembered.py checks the file cache across processes).
CACHES = {**CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}}  # noqa: F405

# A page type in a test app, added as a new page type is (tests/test_page_types.py): its own app only.
# (Absent from copies of the code without tests/, e.g. tests/test_i18n.py's makemessages run.)
if (BASE_DIR / "tests" / "pagetype_app").is_dir():
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.pagetype_app"]  # noqa: F405

# The mail queue in the database whatever TASK_QUEUE_REDIS_URL says: the tests run its worker (db_worker);
# tests/test_inquiry_tasks.py starts its own Redis for the RQ queue.
TASKS = task_backends("")  # noqa: F405
