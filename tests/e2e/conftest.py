"""Real-browser tests: Debian's Chromium driven by Playwright against the app on a loopback port."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.i18n import new_page

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            raise pytest.UsageError(f"CI needs Chromium at {CHROMIUM} for the browser tests")
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "e2e" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def chinese_store(zh_store):
    """The browser tests run on a store whose default language is Chinese, as in production (the
    API tests' store defaults to English: tests/conftest.py)."""
    yield


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A phone-sized page in a zh-CN browser (the store's first language) that records console
    errors and uncaught exceptions (tests assert there are none) and the API's answers."""
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    yield page
    page.context.close()
