"""Browser tests of the staff pages: Playwright driving Debian's Chromium against the app served
on a real HTTP server (a thread on 127.0.0.1) over the test database.

Playwright's own browser download does not work here; the tests launch /usr/bin/chromium
(`apt-get install chromium`; .ci/run installs it). Without it the tests are skipped, unless
LINLI_REQUIRE_BROWSER=1 (CI), where a missing browser fails them. Screenshots are saved under
test-artifacts/staff/ at every width.

SQLite allows one writer at a time and the test's own session takes the write lock when it
reads: call `release_database()` after preparing data and before the browser acts.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.config import PROJECT_ROOT
from app.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "staff"
# Desktop, and the narrowest phone staff use (iPhone SE / 8 class, 375 CSS px).
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


def release_database() -> None:
    """End the test's own transaction so that the server may write (SQLite has one writer)."""
    db.session.commit()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on http://127.0.0.1:<free port>, served by werkzeug in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("LINLI_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " but LINLI_REQUIRE_BROWSER=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def page(browser, live_server, viewport, request):
    """A fresh browser tab (own cookies) at the viewport's size, on the live server."""
    phone = viewport == "phone"
    context = browser.new_context(base_url=live_server, viewport=VIEWPORTS[viewport],
                                  is_mobile=phone, has_touch=phone, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.screenshot_prefix = f"{request.node.originalname}-{viewport}"
    yield tab
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): save the whole page under test-artifacts/staff/ (or only what
    the window shows, with full_page=False: an overlay, say)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{tab.screenshot_prefix}-{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        return path

    return take
