"""Fixtures for the browser tests: the built site served over HTTP, Debian's Chromium
driven by Playwright, and the pages listed in ``_toc.yml``.

Run after ``jupyter-book build .`` (``.ci/run`` does)::

    python -m pytest -m browser tests/browser -p no:nbval -o addopts="" -p no:cacheprovider

Environment: ``OPTLEARN_SITE`` (the built HTML, default ``<repo>/_build/html``),
``OPTLEARN_CHROMIUM`` (default ``/usr/bin/chromium``), ``OPTLEARN_NODE_MODULES``
(where the test tool axe-core is installed, default ``<repo>/.ci/node_modules``),
``OPTLEARN_SWEEP_WORKERS`` (browsers loading the pages of the per-page sweep in
parallel, default 2; tests/browser/sweep.py).
The site is self-contained (MathJax and fonts are served from it): every request to a
host other than the local test server is blocked and reported as a failure.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from optlearn_site import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, SITE, PageLog, _is_local
from sweep import Sweep


# --------------------------------------------------------------------------- the site
@pytest.fixture(scope="session")
def site() -> Path:
    index = SITE / "index.html"
    if not index.is_file():
        pytest.fail(f"the built site is missing: {index} does not exist. Build it first with "
                    f"`jupyter-book build .` (or set OPTLEARN_SITE to the built html folder).",
                    pytrace=False)
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` "
                    f"(or set OPTLEARN_CHROMIUM)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_logged_page(browser, base_url, request=None, width=1280, height=900, scheme="light"):
    """A page in a fresh context of the given viewport and colour scheme, every request
    outside the local server blocked and logged (``pg.log``)."""
    phone = width < 600
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block",
                                  color_scheme=scheme, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    pg = context.new_page()
    log = PageLog()

    def route(r):
        url = r.request.url
        if _is_local(url) or url.startswith(("data:", "blob:")):
            return r.continue_()
        log.external_requests.append(url)
        return r.abort("blockedbyclient")

    pg.route("**/*", route)

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location.get("url", "") if msg.location else ""
            # the browser's own message for a request we blocked is reported as such
            if "ERR_BLOCKED_BY_CLIENT" in msg.text:
                return
            log.console_errors.append(f"{msg.text} ({loc})")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    pg.on("requestfailed", lambda req: log.failed_requests.append(f"{req.url}: {req.failure}")
          if _is_local(req.url) else None)
    pg.on("response", lambda resp: log.bad_responses.append(f"{resp.status} {resp.url}")
          if resp.status >= 400 and _is_local(resp.url) else None)
    pg.log = log
    pg.base_url = base_url
    if request is not None:
        request.node._optlearn_page = pg
    return pg


@pytest.fixture
def page(browser, base_url, request):
    pg = new_logged_page(browser, base_url, request)
    yield pg
    pg.context.close()


@pytest.fixture
def make_page(browser, base_url, request):
    """``make_page(width, scheme)``: a logged page at that width and colour scheme."""
    made = []

    def make(width=1280, scheme="light", height=None):
        pg = new_logged_page(browser, base_url, request, width, height or (844 if width < 600 else 900), scheme)
        made.append(pg)
        return pg

    yield make
    for pg in made:
        pg.context.close()


@pytest.fixture(scope="session")
def swept(site, base_url, request):
    """``swept(visit)``: what one load of ``visit.path`` in ``visit.view`` showed (a dict,
    tests/browser/sweep.py). Each (edition, view, page) that a collected test asks for is
    loaded once per session, by OPTLEARN_SWEEP_WORKERS (default 2) browsers in parallel;
    every per-page check then reads the same data."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` "
                    f"(or set OPTLEARN_CHROMIUM)", pytrace=False)
    visits = [item.callspec.params["visit"] for item in request.session.items
              if hasattr(item, "callspec") and "visit" in item.callspec.params]
    sweep = Sweep(base_url, visits, new_logged_page)

    def get(visit):
        data = sweep.get(visit)
        if data.get("error"):
            pytest.fail(f"{visit.path} ({visit.view}) could not be measured: {data['error']}", pytrace=False)
        return data

    yield get
    sweep.close()


@pytest.fixture(scope="session", autouse=True)
def _sweep_from_the_start(request):
    """Start the sweep's browsers with the session, when it has sweep tests: they load the
    pages while the interaction tests (mostly waiting on the browser) run."""
    if any("visit" in getattr(item, "callspec", None).params for item in request.session.items
           if hasattr(item, "callspec")):
        request.getfixturevalue("swept")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        pg = getattr(item, "_optlearn_page", None)
        if pg is not None and not pg.is_closed():
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1]) + ".png"
            try:
                pg.screenshot(path=str(SCREENSHOTS / name), full_page=True)
                rep.sections.append(("screenshot", str(SCREENSHOTS / name)))
            except Exception as exc:  # a screenshot must never hide the real failure
                rep.sections.append(("screenshot", f"could not take screenshot: {exc}"))

