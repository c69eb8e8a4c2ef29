from .base import *  # noqa: F403
from .base import env_bool, env_int, env_str

DEBUG = env_bool("DEBUG", True)
# A development-only key; production.py requires SECRET_KEY from the environment.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# `make run` creates the demo accounts only when this is on.
PORTAL_CREATE_DEMO_USERS = True
# A missing page shows the portal's 404 page in the visitor's language, not Django's technical one.
MIDDLEWARE = [*MIDDLEWARE, "portal.views.NotFoundPageMiddleware"]  # noqa: F405

# Admin links in e-mails and XLIFF notes lead to the development server: `make run PORT=8123`
# passes its port on, so the links follow it.
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")
