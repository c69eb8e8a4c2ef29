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


# What the editor's page did, read from the events Wagtail's form controllers dispatch: whether
# the form has been taken as the unchanged one (autosave reacts to changes after that), how many
# autosaves are on their way, and the fields each successful one sent. The tests wait for these,
# not for a number of milliseconds, which ran out on a busy machine (two test processes).
WATCH_EDITOR = """
window.portalEditor = {watching: false, pending: 0, saved: []};
document.addEventListener("w-unsaved:watch-edits", () => { window.portalEditor.watching = true; });
document.addEventListener("w-autosave:save", (event) => {
  window.portalEditor.pending += 1;
  window.portalEditor.sending = Object.fromEntries(event.detail.formData.entries());
});
document.addEventListener("w-autosave:success", () => {
  window.portalEditor.pending -= 1;
  window.portalEditor.saved.push(window.portalEditor.sending);
});
document.addEventListener("w-autosave:error", () => { window.portalEditor.pending -= 1; });
"""

# Autosave off (its Stimulus value), then the one on its way answered: nothing the page sends
# later can race the test's own save, its reading of the database, or the flush after it.
QUIET_EDITOR = """async () => {
  const form = document.querySelector("form[data-controller~='w-autosave']");
  if (form) form.setAttribute("data-w-autosave-active-value", "false");
  await new Promise((resolve) => {
    const check = () => (!window.portalEditor || window.portalEditor.pending <= 0 ? resolve() : setTimeout(check, 50));
    check();
  });
}"""


def editor_tab(open_tab, width=1280, height=900):
    """A tab that tracks its requests and the editor's autosaves (WATCH_EDITOR)."""
    tab = open_tab(width, height)
    tab.add_init_script(WATCH_EDITOR)
    tab.in_flight = set()
    tab.on("request", lambda request: tab.in_flight.add(request))
    tab.on("requestfinished", lambda request: tab.in_flight.discard(request))
    tab.on("requestfailed", lambda request: tab.in_flight.discard(request))
    return tab


def quiet(tab):
    tab.evaluate(QUIET_EDITOR)


def answered(tab):
    """Until every request the tab sent has its answer (the server is done with it)."""
    for _ in range(400):
        if not tab.in_flight:
            return
        tab.wait_for_timeout(50)
    raise AssertionError(f"unanswered: {[request.url for request in tab.in_flight]}")


def leave(tab):
    """Let the editor's last requests end before the database is emptied: autosave, session pings,
    and the release of its editing session, which it sends as it goes."""
    quiet(tab)
    answered(tab)
    tab.goto("about:blank")
    answered(tab)
