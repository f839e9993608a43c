"""The HTML report in a real browser: ``report all --out report.html`` on the demo data, opened
from disk in headless Chromium with the network off.

Nothing but the file itself may load (every other request is refused and recorded), no error
reaches the console, the Content Security Policy is never violated, every chart is drawn (its
SVG there, with marks in it), and a screenshot of the whole page is not blank.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when missing), driven by
Playwright at that executable: Playwright's own browser download is never used. Without a
Chromium the test is skipped and says why.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smstools_tui import demo
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.demo import demo_client

from ..conftest import NOW, Result

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright (the dev extra) is missing"
)
Image = pytest.importorskip("PIL.Image", reason="Pillow (the dev extra) is missing")
ImageStat = pytest.importorskip("PIL.ImageStat", reason="Pillow (the dev extra) is missing")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine: install Debian's package (apt-get install -y chromium), "
    "as .ci/run does",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium's own switches for a quiet, offline, headless run (Playwright adds its own)."""

RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

CHARTS = """() => [...document.querySelectorAll(".plotly-graph-div")].map((chart) => {
  const svg = chart.querySelector("svg.main-svg");
  const box = svg ? svg.getBoundingClientRect() : null;
  // A heatmap is drawn as one image in g.hm, the other traces as paths.
  const marks = [...chart.querySelectorAll("g.trace path, g.hm image")]
    .filter((mark) => mark.tagName === "image" || (mark.getAttribute("d") || "").length > 2);
  return {
    section: chart.closest("section").id,
    svg: Boolean(svg),
    width: box ? box.width : 0,
    height: box ? box.height : 0,
    marks: marks.length,
  };
})"""
"""Per chart in the page: its section, whether plotly drew its SVG, how big, and how many
marks (bars, lines, markers) it holds."""

EVERY_CHART_DRAWN = """(expected) => {
  const charts = [...document.querySelectorAll(".plotly-graph-div")];
  return charts.length === expected
    && charts.every((chart) => chart.querySelector("g.trace, g.hm image"));
}"""


@pytest.fixture
def report(
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    no_credentials: None,
    tmp_path: Path,
) -> Path:
    """``smstools-tui report all --demo --out report.html``, the demo frozen at :data:`NOW`."""

    def frozen(**settings: Any) -> SmstoolsClient:
        return demo_client(now=NOW, **settings)

    monkeypatch.setattr(demo, "demo_client", frozen)
    target = tmp_path / "report.html"
    done = run("report", "all", "--demo", "--out", str(target))
    assert done.code == 0, done.err
    return target


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile, offline: the context's pages have no network."""
    assert CHROMIUM is not None
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=FLAGS,
            offline=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def test_the_report_opens_offline_with_every_chart_drawn(report: Path, browser: Any) -> None:
    url = report.resolve().as_uri()
    expected_charts = report.read_text(encoding="utf-8").count("Plotly.newPlot(")
    assert expected_charts >= 7

    page = browser.new_page()
    requests: list[str] = []
    refused: list[str] = []
    console: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))

    def only_the_file(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("blockedbyclient")

    page.route("**/*", only_the_file)
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.goto(url, wait_until="load")
    page.wait_for_function(EVERY_CHART_DRAWN, arg=expected_charts, timeout=15_000)

    assert requests == [url] and refused == []
    assert errors == []
    assert [line for line in console if line.startswith(("error", "warning"))] == []
    assert page.evaluate("window.cspViolations") == []

    charts = page.evaluate(CHARTS)
    assert len(charts) == expected_charts
    for chart in charts:
        assert chart["svg"] and chart["width"] > 300 and chart["height"] > 200, chart
        assert chart["marks"] > 0, chart
    sections = {chart["section"] for chart in charts}
    assert {
        "delivery-rate", "spend", "latency", "funnel", "campaigns", "replies", "carriers",
        "send-times",
    } <= sections  # fmt: skip

    shot = report.with_name("report.png")
    picture = Image.open(io.BytesIO(page.screenshot(path=str(shot), full_page=True)))
    grey = picture.convert("L")
    assert grey.height > 3_000  # the whole report, not one screen of it
    variance = ImageStat.Stat(grey).var[0]
    assert variance > 500, f"the page looks blank (pixel variance {variance:.0f})"
