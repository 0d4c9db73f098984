"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

The server runs the session app (SQLite half only: the browser journeys test the pages, the
engines are covered by the rest of the suite). Without Chromium these tests are skipped, unless
``REQUIRE_BROWSER=1`` (CI), which fails instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.platform.database import mark_read_only, reset_read_only

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="session")
def chromium_path():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium required (REQUIRE_BROWSER=1) but not found at {CHROMIUM}")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {**browser_type_launch_args, "executable_path": chromium_path, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture()
def live_server(app, chromium_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("browser journeys run on the SQLite half")
    # The test thread only reads while the browser acts: no write lock that would block the server.
    read_only = mark_read_only(True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    reset_read_only(read_only)


@pytest.fixture()
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """German users: the browser's own widgets (date fields, file chooser) speak German too."""
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}
