"""What every browser test shares: where Chromium is, how it starts, where artifacts go.

The fixtures `browser` and `open_tab` live in tests/conftest.py.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
# Without the background-networking flags Chromium tries to reach Google's hosts, which this network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class ChromiumLiveServer:
    """For a StaticLiveServerTestCase: one Chromium for the class (`cls.browser`), started after the
    live server, so the class's override_settings (e.g. the CSP middleware) are in force.
    Use as `class T(ChromiumLiveServer, StaticLiveServerTestCase)`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        # Playwright's sync API runs an event loop; Django's async-safety check would refuse the ORM.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()


def require_chromium() -> None:
    """Skip the calling test module without Chromium, unless CI requires browser tests (then fail)."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("PORTAL_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"Browser tests are required but {CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
        )
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)


def log_in(tab, username: str, password: str = "changeme") -> None:  # noqa: S107 (the demo users' password)
    """Sign in to the admin in `tab` as one of the demo users (create_demo_users)."""
    tab.goto("/admin/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", password)
    with tab.expect_navigation():
        tab.click("button[type=submit]")
