from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# A development-only key; production.py requires SECRET_KEY from the environment.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# `make run` creates the demo accounts only when this is on.
PORTAL_CREATE_DEMO_USERS = True
# A missing page shows the portal's 404 page in the visitor's language, not Django's technical one.
MIDDLEWARE = [*MIDDLEWARE, "portal.views.NotFoundPageMiddleware"]  # noqa: F405
