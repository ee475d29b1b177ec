"""``kansoku collect`` on the command line: one line per failure, exit statuses, the progress bar, a killed run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from collect_helpers import article_html, rss
from typer.testing import CliRunner

from kansoku.cli import app

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from ptyrun import KANSOKU, run_on_pty  # noqa: E402


def invoke(*args: object):
    return CliRunner().invoke(app, ["collect", *map(str, args), "--workers", "1"])


def test_exit_0_and_a_summary_line(server, tmp_path: Path) -> None:
    server.add("/n/1.html", article_html(1))
    server.add("/feed.xml", rss(server.url, ["/n/1.html"]), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    r = invoke(server.url + "/feed.xml", "--db", db, "--allow-private", "--delay", "0")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"kansoku: {db}: added 1, updated 0, unchanged 0, failed 0 in " + r.stderr.split(" in ", 1)[1].split("\n")[0]
    ]
    assert "2 requests" not in r.stderr and "3 requests, 1 pages fetched, 0 not modified" in r.stderr
    assert r.stdout == ""


def test_one_line_per_failure_and_exit_1(server, tmp_path: Path) -> None:
    server.add("/n/1.html", article_html(1))
    server.add("/n/big.html", stream_size=2 * 1024 * 1024)
    server.add("/n/pic.png", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
    server.add("/feed.xml", rss(server.url, ["/n/1.html", "/n/big.html", "/n/pic.png", "/private/a.html"]),
               content_type="application/rss+xml")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{server.url}/n/missing.html\n", encoding="utf-8")
    db = tmp_path / "k.db"
    r = invoke(server.url + "/feed.xml", listing, tmp_path / "nope.txt", "ftp://example.jp/feed", "--db", db,
               "--allow-private", "--delay", "0", "--max-size", "1", "--quiet")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert lines[:-1] == [
        f"kansoku: {tmp_path / 'nope.txt'}: no such file or directory",
        "kansoku: ftp://example.jp/feed: only http and https URLs are fetched (ftp:)",
        f"kansoku: {server.url}/n/big.html: too large (2.0 MB, over the 1.0 MB limit)",
        f"kansoku: {server.url}/n/pic.png: not an article (content type image/png)",
        f"kansoku: {server.url}/private/a.html: denied by robots.txt",
        f"kansoku: {server.url}/n/missing.html: HTTP 404 Not Found",
    ]
    assert lines[-1].startswith(f"kansoku: {db}: added 1, updated 0, unchanged 0, failed 6 in ")
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2025-13-01"], "kansoku: --since: expected YYYY-MM-DD, got '2025-13-01'"),
        (["--published-default", "yesterday"], "kansoku: --published-default: expected YYYY-MM-DD, got 'yesterday'"),
        (["--db", "{tmp}"], "kansoku: --db {tmp}: is a folder; give the store's file name"),
        (["--archive", "{tmp}/no/such"], "kansoku: --archive {tmp}/no/such: folder {tmp}/no does not exist"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    db = [] if "--db" in args else ["--db", str(tmp_path / "k.db")]
    r = invoke("http://127.0.0.1:9/feed.xml", *db, *args)
    assert r.exit_code == 2 and r.stderr.strip() == message.replace("{tmp}", str(tmp_path))
    assert not (tmp_path / "k.db").exists()  # nothing fetched, no store created


def test_bad_option_values_and_no_sources_exit_2(tmp_path: Path) -> None:
    assert invoke("http://127.0.0.1:9/", "--delay", "-1").exit_code == 2
    assert invoke("http://127.0.0.1:9/", "--concurrency", "0").exit_code == 2
    assert CliRunner().invoke(app, ["collect"]).exit_code == 2


def test_progress_bar_on_a_terminal_and_quiet(server, tmp_path: Path) -> None:
    for i in range(3):
        server.add(f"/n/{i}.html", article_html(i))
    server.add("/feed.xml", rss(server.url, [f"/n/{i}.html" for i in range(3)]), content_type="application/rss+xml")
    res = run_on_pty([*KANSOKU, "collect", server.url + "/feed.xml", "--db", tmp_path / "k.db", "--allow-private",
                      "--delay", "0", "--workers", "1"], cwd=tmp_path)  # fmt: skip
    assert res.status == 0 and "Traceback" not in res.output, res.output[-2000:]
    assert "collect" in res.output and "3/" in res.output and "━" in res.output
    quiet = run_on_pty([*KANSOKU, "collect", server.url + "/feed.xml", "--db", tmp_path / "k2.db", "--allow-private",
                        "--delay", "0", "--workers", "1", "--quiet"], cwd=tmp_path)  # fmt: skip
    assert quiet.status == 0 and "━" not in quiet.output
    assert quiet.output.strip().startswith(f"kansoku: {tmp_path / 'k2.db'}: added 3,")


def test_killed_run_leaves_whole_articles_and_resumes(server, tmp_path: Path) -> None:
    n = 16  # two batches of the analysis pipeline (8 articles each)
    for i in range(n):
        server.add(f"/n/{i}.html", article_html(i), delay=0.1)
    paths = [f"/n/{i}.html" for i in range(n)]
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    cmd = [*KANSOKU, "collect", server.url + "/feed.xml", "--db", str(db), "--allow-private", "--delay", "0",
           "--concurrency", "1", "--workers", "1", "--quiet"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        try:
            con = sqlite3.connect(db)
            stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            con.close()
        except sqlite3.Error:
            continue
        if stored >= 1:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 1 <= stored < n, "the run was not caught in the middle"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    linked = con.execute("SELECT count(*) FROM documents d WHERE EXISTS "
                         "(SELECT 1 FROM sources s WHERE s.doc_id = d.id)").fetchone()[0]  # fmt: skip
    assert docs == linked and docs < n  # every stored article is whole and has its source
    remembered = {r[0] for r in con.execute("SELECT url FROM collect_urls WHERE kind = 'page'")}
    con.close()
    server.clear()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    requested = {server.url + h.path for h in server.hits(prefix="/n/")}
    assert requested == {server.url + p for p in paths} - remembered  # nothing remembered is asked again
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == n
    assert con.execute("SELECT count(*) FROM collect_urls WHERE kind = 'page'").fetchone()[0] == n
    con.close()
