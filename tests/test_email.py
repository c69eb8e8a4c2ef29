"""E-mail: production sends through the SMTP server its environment names (password resets
arrive), refuses to start without one, and development prints mails to the console."""

import json
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

import pytest
from aiosmtpd.controller import Controller

from tests.test_production import BASE_DIR, free_port, production_env, run_python


class Inbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


SEND_MAIL = """
import django
django.setup()
from django.core.mail import send_mail
send_mail("Portal test", "It arrives.", None, ["editor@example.org"])
"""


def test_production_sends_through_the_environments_smtp_server(tmp_path, smtp_server):
    controller, inbox = smtp_server
    env = production_env(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(controller.port),
        EMAIL_USE_TLS="0",
        DEFAULT_FROM_EMAIL="SCODA Portal <portal@example.org>",
    )
    result = run_python(SEND_MAIL, env)
    assert result.returncode == 0, result.stderr
    assert len(inbox.messages) == 1
    assert inbox.messages[0].mail_from == "portal@example.org"
    assert inbox.messages[0].rcpt_tos == ["editor@example.org"]


DUMP_EMAIL = """
import json, django
from django.conf import settings
django.setup()
names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
         "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def test_production_email_settings_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="465",
        EMAIL_USE_SSL="1",
        EMAIL_USE_TLS="0",
        EMAIL_HOST_USER="portal",
        EMAIL_HOST_PASSWORD="smtp-secret",
        SERVER_EMAIL="errors@example.org",
    )
    result = run_python(DUMP_EMAIL, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 465,
        "EMAIL_HOST_USER": "portal",
        "EMAIL_HOST_PASSWORD": "smtp-secret",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": True,
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": "portal@example.org",
        "SERVER_EMAIL": "errors@example.org",
    }


def test_production_defaults_are_starttls_on_the_submission_port(tmp_path):
    result = run_python(DUMP_EMAIL, production_env(tmp_path))
    values = json.loads(result.stdout)
    assert (values["EMAIL_PORT"], values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (587, True, False)
    assert values["SERVER_EMAIL"] == values["DEFAULT_FROM_EMAIL"] == "portal@example.org"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"EMAIL_HOST_USER": "portal"}, "EMAIL_HOST_PASSWORD"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_SSL"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
    ],
)
def test_production_refuses_unusable_email_settings(tmp_path, overrides, named):
    result = run_python("import django; django.setup()", production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_development_prints_mails_to_the_console(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings.dev", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", SEND_MAIL], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Subject: Portal test" in result.stdout


class AdminPasswordResetTests(TestCase):
    """Wagtail's "forgotten password" form, end to end through a real SMTP server."""

    @pytest.fixture(autouse=True)
    def _smtp(self, smtp_server):
        self.controller, self.inbox = smtp_server

    def test_the_reset_mail_arrives(self):
        get_user_model().objects.create_user("editor", "editor@example.org", "a long password 1")
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.controller.port,
            "EMAIL_USE_TLS": False,
            "DEFAULT_FROM_EMAIL": "portal@example.org",
        }
        with override_settings(**smtp):
            response = self.client.post("/admin/password_reset/", {"email": "editor@example.org"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(self.inbox.messages), 1)
        message = self.inbox.messages[0]
        self.assertEqual(message.rcpt_tos, ["editor@example.org"])
        self.assertEqual(message.mail_from, "portal@example.org")
        self.assertIn("/admin/password_reset/confirm/", message.content.decode())
        self.assertEqual(settings.EMAIL_BACKEND, "django.core.mail.backends.locmem.EmailBackend")  # tests' own
