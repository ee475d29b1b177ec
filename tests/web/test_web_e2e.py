"""End to end in a real browser: Playwright for Python driving Debian's chromium (/usr/bin/chromium).

Scenario: search → open an article → click a highlighted entity → its page shows the merged spellings →
switch to English; a hostile article (script tags, onerror=, javascript: links) opens no dialog.  A
screenshot of each page is saved under out/screenshots/ (and the test's tmp folder).

Skips, with the reason, only when chromium or the playwright package is missing (``make test`` installs
both: the Makefile's E2E stamp).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KANSOKU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"chromium is not installed ({CHROMIUM} missing; apt-get install chromium, or make test)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install 'kansoku[dev]')"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def server(app):
    import uvicorn

    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    t0 = time.time()
    while not srv.started:
        assert time.time() - t0 < 30, "uvicorn did not start"
        time.sleep(0.05)
    app.state.store.stories(wait=True)
    yield f"http://127.0.0.1:{srv.servers[0].sockets[0].getsockname()[1]}"
    srv.should_exit = True
    th.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> list[Path]:
    dirs = [tmp_path_factory.mktemp("screenshots"), ROOT / "out" / "screenshots"]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    return dirs


def snap(page, shots: list[Path], name: str) -> None:
    data = page.screenshot(full_page=True)
    for d in shots:
        (d / f"{name}.png").write_bytes(data)


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1360, "height": 900}, locale="ja-JP")
    pg = ctx.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def test_search_article_entity_english(server, page, shots):
    page.goto(f"{server}/search?q=" + quote("ポクロウシク"))
    assert page.locator("ol.hits li.hit").count() >= 1
    assert page.locator(".snippet mark").count() >= 1
    snap(page, shots, "01_search")
    page.locator("ol.hits li.hit a.title").first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("#text a.ev.k-ent").count() > 3
    snap(page, shots, "02_article")
    # the side panel scrolls to a span and flashes it
    jump = page.locator("#panel a.jump[href^='#ev-c']").first
    if jump.count():
        jump.click()
        assert page.evaluate("location.hash").startswith("#ev-c")
        assert page.locator(".ev.flash").count() >= 1
    link = page.locator("#text a.ev[href='/entities/gpe%3Apokrovsk']").first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/entities/gpe%3Apokrovsk")
    spellings = page.locator("#spellings td.spelling").all_inner_texts()
    assert {"ポクロウシク", "ポクロフスク"} <= set(spellings), spellings
    assert page.locator("#spellings .method").count() >= 2
    snap(page, shots, "03_entity")
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Spellings and why they were merged").count() == 1
    snap(page, shots, "04_entity_en")
    page.locator("header nav a[href='/search']").click()  # English stays on the next page (cookie)
    assert page.locator("html").get_attribute("lang") == "en"
    assert not page.errors and not page.dialogs  # type: ignore[attr-defined]


def test_hostile_article_runs_nothing(server, page, shots, hostile_id):
    for url in (f"/articles/{hostile_id}", "/search?q=alert", "/search?q=" + quote("決して許さない"),
                "/claims", "/timeline"):  # fmt: skip
        page.goto(server + url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
    page.goto(f"{server}/articles/{hostile_id}")
    page.wait_for_timeout(500)
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.locator("#text img, #text script, #text iframe, #text svg").count() == 0
    assert "<script>" in page.locator("#text").inner_text()  # shown as text
    for a in page.locator("a").all():
        assert not (a.get_attribute("href") or "").lower().startswith("javascript:")
    snap(page, shots, "05_hostile_article")


def test_every_page_renders(server, page, shots, client):
    story = client.get("/api/stories").json()["stories"][0]["id"]
    pages = [("06_claims", "/claims"), ("07_stories", "/stories"), ("08_story", f"/stories/{story}"),
             ("09_timeline", "/timeline?entity=" + quote("キーウ")), ("10_briefing", f"/briefing?story={story}"),
             ("11_api", "/api"), ("16_compare", f"/compare?a={quote('東亜通信')}&b={quote('極東通信')}"), ("12_error", "/articles/nope"), ("13_search_en", "/search?q=ロシア&lang=en")]  # fmt: skip
    for name, url in pages:
        resp = page.goto(server + url)
        assert resp is not None and resp.status in (200, 404), url
        page.wait_for_load_state("networkidle")
        snap(page, shots, name)
    page.goto(server + f"/briefing?story={story}&lang=ja")
    imgs = page.locator(".charts img")
    assert imgs.count() >= 1
    assert page.evaluate("Array.from(document.querySelectorAll('.charts img')).every(i => i.naturalWidth > 0)")
    assert not page.errors and not page.dialogs  # type: ignore[attr-defined]


def test_ingest_page_progress(browser, shots, tmp_path):
    """--allow-ingest: upload files from the page, watch the run's progress, keep browsing meanwhile."""
    import uvicorn

    from kansoku.web.app import create_app

    app = create_app(tmp_path / "ingest.db", allow_ingest=True)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    while not srv.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{srv.servers[0].sockets[0].getsockname()[1]}"
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(base + "/ingest")
        files = sorted((ROOT / "examples" / "corpus").glob("*.txt"))
        page.set_input_files("input[name=files]", [str(p) for p in files])
        with page.expect_navigation():
            page.locator("form.ingest button[type=submit]").click()
        assert page.locator(".job progress").count() == 1
        snap(page, shots, "14_ingest_running")
        other = ctx.new_page()  # the rest of the UI answers while the run goes on
        other.goto(base + "/search")
        assert other.locator("html").get_attribute("lang") == "ja"
        t0 = time.time()  # app.js refreshes the run in place (wait_for_function would need 'unsafe-eval')
        while page.locator(".job .status").inner_text().strip() != "完了":
            assert time.time() - t0 < 180, page.locator(".job").inner_text()
            page.wait_for_timeout(300)
        done = page.locator(".job .done").inner_text()
        assert done.startswith(f"{len(files)} / {len(files)}"), done
        snap(page, shots, "15_ingest_finished")
        other.goto(base + "/search?q=" + quote("クラマトルスク"))
        assert other.locator("ol.hits li.hit").count() >= 3
    finally:
        ctx.close()
        srv.should_exit = True
        th.join(timeout=10)
