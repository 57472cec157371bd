"""axe-core accessibility scan of every page, in the light and the dark theme: no serious
or critical violation, except the theme's own, listed and explained one by one in
known_theme_issues.json (rule id + a regular expression on the element's CSS selector)."""

from __future__ import annotations

import re

import pytest

from optlearn_site import KNOWN_THEME_ISSUES, NODE_MODULES, PAGES, open_page, page_params

pytestmark = pytest.mark.browser

AXE = NODE_MODULES / "axe-core" / "axe.min.js"


def _known(rule: str, target: str, html: str = "") -> bool:
    return any(k["rule"] == rule and re.search(k["selector"], target)
               and re.search(k.get("html", ""), html) for k in KNOWN_THEME_ISSUES["axe"])


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("toc_page", page_params(PAGES))
def test_no_serious_accessibility_violation(page, toc_page, mode):
    assert AXE.is_file(), f"axe-core missing ({AXE}): run `npm ci --prefix .ci`"
    open_page(page, toc_page.html)
    if mode == "dark":
        page.evaluate("""() => { document.documentElement.dataset.mode = 'dark';
                                 document.documentElement.dataset.theme = 'dark'; }""")
        page.wait_for_timeout(200)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                      html: n.html.slice(0, 160)}))}));
    }""")
    bad = []
    for v in result:
        for n in v["nodes"]:
            if (n["impact"] or v["impact"]) in ("serious", "critical") and not _known(v["id"], n["target"], n["html"]):
                bad.append(f"[{n['impact'] or v['impact']}] {v['id']} ({v['help']}): {n['target']}  {n['html']}")
    assert not bad, f"{toc_page.html} ({mode}): {len(bad)} accessibility violations:\n  " + "\n  ".join(bad)
