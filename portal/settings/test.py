from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105 (test settings only)
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".pytest-media"
PORTAL_CREATE_DEMO_USERS = True
WAGTAILADMIN_BASE_URL = "http://testserver"
