"""One load per page and view: everything the per-page browser tests check, measured at once.

``visit_page`` opens one page of one edition in one view (a fresh browser context, so a
cold cache and a first visit; every request outside the local server blocked), waits for
MathJax, and returns a plain dict; tests/browser/test_sweep.py asserts over it, one test
per check and page, so a failure names both. The order of a visit:

1. load, MathJax typeset (and jupyterquiz's questions), phone: a screenshot of the top;
2. scroll to the end (lazy images), wait until every image is complete;
3. ``COLLECT_JS``: maths and text, images and figures, animations, dropdowns, titles and
   navigation, header icons, quizzes, colours (one ``page.evaluate``);
4. desktop views: axe-core's accessibility scan;
5. every solution opened, ``OVERFLOW_JS``: clipped or protruding elements, page width;
   phone, light: screenshots of a scrolling equation or table and of each animation;
6. the page's log (console errors, failed or third-party requests) and the files it
   requested (their gzip size is the page's weight).
"""

from __future__ import annotations

import os
import queue
import re
import threading
import traceback

from optlearn_site import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES, PAGES, CHAPTERS, SCREENSHOTS, open_page

AXE = NODE_MODULES / "axe-core" / "axe.min.js"

COLLECT_JS = """async () => {
  const article = document.querySelector('article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, .highlight, mjx-container, mjx-assistive-mml, textarea')
       .forEach(e => e.remove());
  const attr = (e, a) => e ? e.getAttribute(a) : null;
  const bg = e => getComputedStyle(e).backgroundColor;
  const visible = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  await document.fonts.ready;
  const out = {
    text: clone.innerText,
    untypeset: Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length,
    mjx: document.querySelectorAll('mjx-container').length,
    fonts: Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family),
    bodyBg: bg(document.body),
    images: Array.from(document.querySelectorAll('article img, .bd-content img')).map(i => ({
      src: (i.getAttribute('src') || '').slice(0, 80), id: i.id, w: i.naturalWidth,
      alt: (i.getAttribute('alt') || '').trim(),
      hidden: i.getAttribute('aria-hidden') === 'true' || i.getAttribute('role') === 'presentation'})),
    figures: Array.from(document.querySelectorAll('.cell_output img, article figure img'))
      .filter(i => !i.closest('.animation')).map(i => ({
        src: (i.getAttribute('src') || '').slice(0, 60), nat: i.naturalWidth, css: i.getAttribute('width'),
        shown: i.getBoundingClientRect().width, bg: bg(i),
        link: i.closest('a') ? i.closest('a').getAttribute('href') : null,
        linkAbs: i.closest('a') ? i.closest('a').href : null})),
    frames: Array.from(document.querySelectorAll('div.animation img')).map(i => ({
      src: (i.getAttribute('src') || '').slice(0, 60), bg: bg(i)})),
    animations: Array.from(document.querySelectorAll('div.animation')).map(e => {
      const col = e.closest('.cell_output') || e.parentElement, img = e.querySelector('img');
      const b = e.getBoundingClientRect(), c = col.getBoundingClientRect();
      const slider = e.querySelector('input.anim-slider');
      return {right: b.right, colRight: c.right, left: b.left, colLeft: c.left,
              img: img ? img.getBoundingClientRect().width : 0, col: c.width, nat: img ? img.naturalWidth : 0,
              frames: slider ? Number(slider.getAttribute('max')) : 0,
              play: !!e.querySelector("button[title='Play']")}; }),
    dropdowns: Array.from(document.querySelectorAll('.solution.dropdown, .dropdown.admonition, details.solution'))
      .map(e => e.tagName === 'DETAILS' ? {details: true, open: e.open}
           : {details: false, bodyVisible: visible(e.querySelector(':scope > :not(.admonition-title)')),
              title: !!e.querySelector(':scope > .admonition-title'), cls: e.className}),
    h1: (() => { const h = document.querySelector('article h1'); return h ? h.innerText.trim() : null; })(),
    sidebarCurrent: (() => { const a = document.querySelector('nav.bd-links li.toctree-l1.current > a.current');
                             return a ? a.innerText.trim() : null; })(),
    next: attr(document.querySelector('a.right-next'), 'href'),
    icons: Array.from(document.querySelectorAll('.bd-header-article i.fa-solid, .bd-header-article i.fas, .bd-header-article i.fab'))
      .filter(i => i.offsetParent).map(i => ({cls: i.className, w: i.getBoundingClientRect().width,
        font: getComputedStyle(i, '::before').fontFamily, content: getComputedStyle(i, '::before').content})),
    quizzes: Array.from(document.querySelectorAll('div[data-shuffleanswers]')).map(c => ({
      id: c.id, questions: window['questions' + c.id] || null,
      shown: c.querySelectorAll(':scope > div.Quiz').length,
      buttons: Array.from(c.querySelectorAll(':scope > div.Quiz')).map(q =>
        Array.from(q.querySelectorAll('label.MCButton')).map(l => ({
          correct: l.getAttribute('data-correct'), feedback: l.getAttribute('data-feedback'),
          text: l.innerText}))),
      visible: Array.from(c.querySelectorAll(':scope > div.Quiz')).every(visible)})),
  };
  return out;
}"""

OVERFLOW_JS = """() => {
  // MathJax's assistive MathML is visually hidden (clip: 1px) but Chromium lays it out with
  // its own width: measure the page without it, it is never what a reader sees.
  if (!document.getElementById('no-assistive-mml')) {
    const st = document.createElement('style'); st.id = 'no-assistive-mml';
    st.textContent = 'mjx-assistive-mml { display: none !important; }';
    document.head.appendChild(st);
  }
  const article = document.querySelector('article.bd-article') || document.querySelector('article');
  const aRect = article.getBoundingClientRect();
  const bad = [];
  const scrolls = new Set(['auto', 'scroll']);
  const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
  const hidden = e => { const r = e.getBoundingClientRect(); return r.width <= 1 || r.height <= 1; };
  for (const e of article.querySelectorAll('*')) {
    if (hidden(e) || e.closest('mjx-assistive-mml, .visually-hidden, .sr-only, dialog, script, style, .toggle-hidden')) continue;
    // MathJax's own glyph boxes clip by design (stretchy characters); its container is checked
    if (e.parentElement && e.parentElement.closest('mjx-container')) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const ox = cs.overflowX;
    if ((ox === 'hidden' || ox === 'clip') && e.scrollWidth > e.clientWidth + 2) {
      bad.push('clipped: ' + describe(e) + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
    }
    if (scrolls.has(ox) && e.scrollWidth > e.clientWidth + 2 && e.tagName !== 'PRE' && !e.closest('pre')) {
      const cue = cs.backgroundAttachment.includes('local') || cs.backgroundImage.includes('gradient');
      if (!cue) bad.push('scrolls without a cue: ' + describe(e));
    }
    // an element that sticks out of the article without a scrolling ancestor inside it
    const r = e.getBoundingClientRect();
    if (r.right > aRect.right + 2 || r.left < aRect.left - 2) {
      let anc = e.parentElement, contained = false;
      while (anc && anc !== article) {
        const o = getComputedStyle(anc).overflowX;
        if (scrolls.has(o)) { contained = true; break; }
        if (o === 'hidden' || o === 'clip') { contained = true; break; }   // reported above
        anc = anc.parentElement;
      }
      if (!contained) bad.push('sticks out of the column: ' + describe(e) + ' (' + Math.round(r.left) + '..' + Math.round(r.right) + ' vs ' + Math.round(aRect.left) + '..' + Math.round(aRect.right) + ')');
    }
  }
  return {bad: Array.from(new Set(bad)).slice(0, 25), docWidth: document.documentElement.scrollWidth,
          bodyWidth: document.body.scrollWidth, inner: window.innerWidth};
}"""

# The dark scheme changes only the theme's colours (pydata-sphinx-theme's data-theme CSS):
# the DOM, names, roles and landmarks are those scanned in the light view, so in dark
# views axe runs only its colour rules (the full scan of a chapter takes about 9 s).
AXE_COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_JS = """async (rules) => {
    const options = {resultTypes: ['violations']};
    if (rules) options.runOnly = {type: 'rule', values: rules};
    const r = await axe.run(document, options);
    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                  html: n.html.slice(0, 160)}))}));
}"""


def shot(pg, name: str, folder: str = "phone") -> str:
    """Save a screenshot of the viewport under test-artifacts/screenshots/<folder>/."""
    out = SCREENSHOTS / folder
    out.mkdir(parents=True, exist_ok=True)
    path = out / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    pg.screenshot(path=str(path))
    return path.name


def visit_page(browser, base_url, visit, new_logged_page) -> dict:
    """Load ``visit`` once and measure everything (module docstring); never raises: an
    error is returned as ``{"error": ...}`` and fails every test of that visit."""
    view, toc_page = visit.view, visit.page
    pg = new_logged_page(browser, base_url, None, view.width, view.height, view.scheme)
    urls: list[str] = []
    pg.on("requestfinished", lambda req: urls.append(req.url))
    tag = f"{visit.lang}-{toc_page.stem}-{view.scheme}" if visit.prefix else f"{toc_page.stem}-{view.scheme}"
    data: dict = {"screenshots": []}
    try:
        open_page(pg, visit.path)
        if view.phone and toc_page in PAGES[:1] + CHAPTERS:
            data["screenshots"].append(shot(pg, f"top-{tag}"))
        pg.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")   # lazy images
        pg.wait_for_function(
            "() => Array.from(document.images).filter(i => i.getAttribute('src')).every(i => i.complete)",
            timeout=15000)
        if pg.evaluate("() => !!document.querySelector('div[data-shuffleanswers]')"):
            pg.wait_for_function("""() => Array.from(document.querySelectorAll('div[data-shuffleanswers]'))
                                    .every(c => c.querySelector('.Quiz'))""", timeout=10000)
        data.update(pg.evaluate(COLLECT_JS))
        if not view.phone and AXE.is_file():
            pg.add_script_tag(path=str(AXE))
            data["axe"] = pg.evaluate(AXE_JS, AXE_COLOUR_RULES if view.scheme == "dark" else None)
            data["axe_rules"] = AXE_COLOUR_RULES if view.scheme == "dark" else "all"
        # item 3, with every solution open so that its equations are measured too
        pg.evaluate("""() => { document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
                               document.querySelectorAll('details').forEach(d => d.open = true);
                               window.dispatchEvent(new Event('resize')); }""")   # optlearn.js re-marks scrollers
        pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        data["overflow"] = pg.evaluate(OVERFLOW_JS)
        if view.phone and view.scheme == "light":
            wide = pg.locator(".bd-content div.math, .bd-content .pst-scrollable-table-container")
            for i in range(wide.count()):
                el = wide.nth(i)
                if el.evaluate("e => e.scrollWidth > e.clientWidth + 2"):
                    el.scroll_into_view_if_needed()
                    data["screenshots"].append(shot(pg, f"scroll-cue-{tag}"))
                    break
            anims = pg.locator("div.animation")
            for i in range(anims.count()):
                anims.nth(i).scroll_into_view_if_needed()
                data["screenshots"].append(shot(pg, f"animation-{tag}-{i}"))
        data["problems"] = pg.log.problems()
        data["requests"] = list(dict.fromkeys(urls))
        data["url"] = pg.url
    except Exception as exc:  # reported by every test of this visit
        data["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        try:
            data["screenshots"].append(shot(pg, f"error-{visit.lang}-{view}-{toc_page.stem}", "failures"))
        except Exception:
            pass
    finally:
        pg.context.close()
    return data


# --------------------------------------------------------------------------- parallel visits
WORKERS = int(os.environ.get("OPTLEARN_SWEEP_WORKERS", min(2, os.cpu_count() or 1)))
VISIT_TIMEOUT_S = 120


class Sweep:
    """Visits pages on ``workers`` threads, each with its own Playwright and Chromium (the
    sync API is per thread); ``get(visit)`` waits for that visit. Visits are queued in
    the order the tests ask for them, so the first results come first."""

    def __init__(self, base_url: str, visits, new_logged_page, workers: int = WORKERS):
        self.base_url, self.new_logged_page = base_url, new_logged_page
        self.results: dict = {}
        self.cond = threading.Condition()
        self.todo: queue.Queue = queue.Queue()
        for v in dict.fromkeys(visits):
            self.todo.put(v)
        self.threads = [threading.Thread(target=self._work, name=f"sweep-{i}", daemon=True)
                        for i in range(max(1, workers))]
        for t in self.threads:
            t.start()

    def _work(self):
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    while True:
                        try:
                            visit = self.todo.get_nowait()
                        except queue.Empty:
                            return
                        data = visit_page(browser, self.base_url, visit, self.new_logged_page)
                        with self.cond:
                            self.results[visit] = data
                            self.cond.notify_all()
                finally:
                    browser.close()
        except Exception as exc:   # no browser: every waiting test fails with the reason
            with self.cond:
                self.failure = f"sweep worker failed: {type(exc).__name__}: {exc}"
                self.cond.notify_all()

    def get(self, visit) -> dict:
        with self.cond:
            if visit not in self.results and not any(visit == v for v in list(self.todo.queue)) \
                    and not any(t.is_alive() for t in self.threads):
                self.results[visit] = {"error": "not queued and no sweep worker left"}
            ok = self.cond.wait_for(lambda: visit in self.results or getattr(self, "failure", None),
                                    timeout=VISIT_TIMEOUT_S * len(self.threads) + 60 * self.todo.qsize())
            if visit in self.results:
                return self.results[visit]
            return {"error": getattr(self, "failure", None) or f"timed out waiting for the visit (ok={ok})"}

    def close(self):
        while True:   # drop what is left (a -x run), let the workers finish their page
            try:
                self.todo.get_nowait()
            except queue.Empty:
                break
        for t in self.threads:
            t.join(VISIT_TIMEOUT_S)
