"""Output targets: bad ones refused before any analysis, writes atomic, Ctrl-C clean (exit 130).

Running as root (this sandbox), permission bits do not stop writes: the chmod-based cases skip there and
other unwritable targets stand in (a parent that is a regular file, a folder where a file is expected,
``/dev/full``, a file size limit).
"""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kansoku.outputs import TargetError, atomic_write, check_file, check_folder, check_store
from ptyrun import KANSOKU, ROOT, PtySession, session_processes

CORPUS = ROOT / "examples" / "corpus"
FIRST = CORPUS / "01_wire_kramatorsk_toa.txt"
LIVEDOOR = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"
IS_ROOT = os.geteuid() == 0
not_root = pytest.mark.skipif(IS_ROOT, reason="root ignores permission bits")
has_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")


def kansoku(*args: object, cwd: Path | None = None, env: dict | None = None, **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([*KANSOKU, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300, **kw)  # fmt: skip


def leftovers(folder: Path) -> list[str]:
    """Temporary or probe files left in FOLDER."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------------------------- checks (library)


class TestChecks:
    def test_missing_parent_folder(self, tmp_path: Path) -> None:
        with pytest.raises(TargetError) as e:
            check_file(tmp_path / "x" / "a.jsonl")
        assert str(e.value) == f"--out {tmp_path / 'x' / 'a.jsonl'}: folder {tmp_path / 'x'} does not exist"

    def test_parent_is_a_file(self, tmp_path: Path) -> None:
        (tmp_path / "f").write_text("x")
        for check in (check_file, check_folder):
            with pytest.raises(TargetError, match=r"f is a file, not a folder$"):
                check(tmp_path / "f" / "sub" / "a.jsonl")

    def test_folder_where_a_file_is_expected_and_the_reverse(self, tmp_path: Path) -> None:
        (tmp_path / "f").write_text("x")
        with pytest.raises(TargetError, match="is a folder; give a file name"):
            check_file(tmp_path)
        with pytest.raises(TargetError, match="is a file, not a folder"):
            check_folder(tmp_path / "f")
        with pytest.raises(TargetError, match="is a folder"):
            check_store(tmp_path, write=True)

    def test_folder_may_be_created_when_its_parent_exists(self, tmp_path: Path) -> None:
        check_folder(tmp_path / "new")
        assert not (tmp_path / "new").exists()  # the check creates nothing
        with pytest.raises(TargetError, match="does not exist"):
            check_folder(tmp_path / "new" / "deeper")

    @has_dev_full
    def test_full_device(self) -> None:
        with pytest.raises(TargetError) as e:
            check_file("/dev/full")
        assert str(e.value) == "--out /dev/full: no space left on device"
        check_file("/dev/null")  # a device that accepts writes is fine
        with pytest.raises(TargetError, match="is not a folder"):
            check_folder("/dev/full")

    @not_root
    def test_unwritable_folder_and_file(self, tmp_path: Path) -> None:
        ro = tmp_path / "ro"
        ro.mkdir()
        (ro / "old.jsonl").write_text("old")
        ro.chmod(0o555)
        try:
            with pytest.raises(TargetError, match="not writable"):
                check_file(ro / "a.jsonl")
            with pytest.raises(TargetError, match="not writable"):
                check_folder(ro)
        finally:
            ro.chmod(0o755)
        f = tmp_path / "locked.jsonl"
        f.write_text("old")
        f.chmod(0o444)
        with pytest.raises(TargetError, match="file is not writable"):
            check_file(f)

    def test_store_must_be_sqlite_and_kansoku(self, tmp_path: Path) -> None:
        notes = tmp_path / "notes.txt"
        notes.write_text("not a database")
        for write in (False, True):
            with pytest.raises(TargetError, match="not an SQLite database"):
                check_store(notes, write=write)
        other = tmp_path / "other.db"
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE t (x)")
        con.close()
        with pytest.raises(TargetError, match="not a kansoku store"):
            check_store(other, write=True)
        with pytest.raises(TargetError, match="no such store"):
            check_store(tmp_path / "missing.db")
        check_store(tmp_path / "new.db", write=True)  # a new store may be created here
        (tmp_path / "empty.db").write_bytes(b"")
        check_store(tmp_path / "empty.db", write=True)


# ------------------------------------------------------------------------------------ atomic writes


class TestAtomicWrite:
    def test_interrupted_write_keeps_the_old_content(self, tmp_path: Path) -> None:
        target = tmp_path / "out.jsonl"
        target.write_text("old\n")
        with pytest.raises(KeyboardInterrupt), atomic_write(target) as fh:
            fh.write("new, half written")
            raise KeyboardInterrupt
        assert target.read_text() == "old\n"
        assert leftovers(tmp_path) == []

    def test_io_error_at_the_end_is_a_target_error(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import kansoku.outputs

        def failing_fsync(fd: int) -> None:  # network and thin-provisioned disks report errors here
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(kansoku.outputs.os, "fsync", failing_fsync)
        target = tmp_path / "out.jsonl"
        target.write_text("old\n")
        with pytest.raises(TargetError) as e, atomic_write(target) as fh:
            fh.write("new\n")
        assert str(e.value) == f"--out {target}: input/output error"
        assert target.read_text() == "old\n" and leftovers(tmp_path) == []

    @has_dev_full
    def test_full_device_at_the_final_write(self) -> None:
        with pytest.raises(TargetError) as e, atomic_write("/dev/full") as fh:
            fh.write("x" * 100_000)
        assert str(e.value) == "--out /dev/full: no space left on device"
        assert Path("/dev/full").is_char_device()  # written in place, never renamed over

    def test_complete_write_replaces_keeps_mode_and_follows_symlinks(self, tmp_path: Path) -> None:
        real = tmp_path / "real.jsonl"
        real.write_text("old\n")
        real.chmod(0o640)
        link = tmp_path / "link.jsonl"
        link.symlink_to(real)
        with atomic_write(link) as fh:
            fh.write("new\n")
        assert link.is_symlink() and real.read_text() == "new\n"
        assert real.stat().st_mode & 0o777 == 0o640
        assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------- the CLI, before analysis


def one_line(r: subprocess.CompletedProcess) -> str:
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store, filled from records (no analysis)."""
    from kansoku.store.db import connect

    db = tmp_path_factory.mktemp("store") / "k.db"
    connect(db).close()
    return db


class TestCliTargets:
    """Each bad target is one line naming the option, the path and the reason, exit 2, and is found before
    any input is read: the inputs named here do not exist, and no line says so."""

    @pytest.mark.parametrize(
        ("target", "reason"),
        [
            ("x/a.jsonl", "folder x does not exist"),
            ("file.txt/a.jsonl", "file.txt is a file, not a folder"),
            ("folder", "is a folder; give a file name"),
            ("/dev/full", "no space left on device"),
        ],
    )
    def test_analyze_out(self, tmp_path: Path, target: str, reason: str) -> None:
        if target == "/dev/full" and not Path(target).exists():
            pytest.skip("no /dev/full")
        (tmp_path / "file.txt").write_text("x")
        (tmp_path / "folder").mkdir()
        r = kansoku("analyze", "nope.txt", "--out", target, cwd=tmp_path)
        assert r.returncode == 2
        assert one_line(r) == f"kansoku: --out {target}: {reason}"

    @not_root
    def test_analyze_out_unwritable_folder(self, tmp_path: Path) -> None:
        (tmp_path / "ro").mkdir(mode=0o555)
        r = kansoku("analyze", "nope.txt", "--out", "ro/a.jsonl", cwd=tmp_path)
        assert r.returncode == 2
        assert one_line(r).startswith("kansoku: --out ro/a.jsonl: folder ro is not writable")

    @pytest.mark.parametrize(
        ("command", "db", "reason"),
        [
            *[("ingest", db, reason) for db, reason in [
                ("notes.txt", "not an SQLite database"),
                ("folder", "is a folder"),
                ("x/k.db", "folder x does not exist"),
                ("file.txt/k.db", "file.txt is a file, not a folder"),
                ("/dev/full", "is not a regular file"),
            ]],
            *[(command, db, reason) for command in ("reanalyze", "search", "stories") for db, reason in [
                ("notes.txt", "not an SQLite database"),
                ("folder", "is a folder"),
                ("x/k.db", "no such store"),
            ]],
        ],
    )  # fmt: skip
    def test_db(self, tmp_path: Path, command: str, db: str, reason: str) -> None:
        if db.startswith("/dev/") and not Path(db).exists():
            pytest.skip(f"no {db}")
        (tmp_path / "notes.txt").write_text("not a database")
        (tmp_path / "file.txt").write_text("x")
        (tmp_path / "folder").mkdir()
        args = {"ingest": ["ingest", "nope.txt"], "search": ["search", "停戦"]}.get(command, [command])
        r = kansoku(*args, "--db", db, cwd=tmp_path)
        assert r.returncode == 2
        line = one_line(r)
        assert line.startswith(f"kansoku: --db {db}: {reason}"), line
        assert not (tmp_path / "x").exists()

    def test_db_from_the_environment_is_named(self, tmp_path: Path) -> None:
        (tmp_path / "notes.txt").write_text("not a database")
        r = kansoku("stories", cwd=tmp_path, env={"KANSOKU_DB": "notes.txt"})
        assert r.returncode == 2
        assert one_line(r).startswith("kansoku: $KANSOKU_DB notes.txt: not an SQLite database")

    @pytest.mark.parametrize("command", ["export", "report"])
    @pytest.mark.parametrize(
        ("out", "reason"),
        [("file.txt", "is a file, not a folder"), ("x/y", "folder x does not exist"), ("/dev/full", "is not a folder")],
    )
    def test_folder_targets(self, tmp_path: Path, store: Path, command: str, out: str, reason: str) -> None:
        if out.startswith("/dev/") and not Path(out).exists():
            pytest.skip(f"no {out}")
        (tmp_path / "file.txt").write_text("x")
        r = kansoku(command, "--out", out, "--db", store, cwd=tmp_path)
        assert r.returncode == 2
        assert one_line(r) == f"kansoku: --out {out}: {reason}"

    def test_export_creates_its_folder_when_the_parent_exists(self, tmp_path: Path, store: Path) -> None:
        r = kansoku("export", "--out", "new", "--db", store, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "new" / "documents.jsonl").is_file()
        assert leftovers(tmp_path / "new") == []

    def test_write_that_fails_half_way_leaves_the_old_file(self, tmp_path: Path) -> None:
        """A real failing write: the output is larger than the file size limit (EFBIG)."""
        target = tmp_path / "out.jsonl"
        target.write_text("old\n")

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

        r = kansoku("analyze", FIRST, "--out", target, "--workers", "1", cwd=tmp_path, preexec_fn=limit)
        assert r.returncode == 2, r.stderr
        assert one_line(r) == f"kansoku: --out {target}: file too large"
        assert target.read_text() == "old\n"
        assert leftovers(tmp_path) == []

    @has_dev_full
    def test_stdout_on_a_full_device(self, tmp_path: Path) -> None:
        with open("/dev/full", "w") as full:
            r = subprocess.run([*KANSOKU, "analyze", str(FIRST), "--workers", "1"], stdout=full, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=300)  # fmt: skip
        assert r.returncode == 2
        assert one_line(r) == "kansoku: stdout: no space left on device"


# ----------------------------------------------------------------------------------------------- Ctrl-C


def _repeat_corpus(folder: Path, times: int) -> Path:
    for i in range(times):
        shutil.copytree(CORPUS, folder / f"copy{i:02d}")
    return folder


def _interrupt(tmp_path: Path, args: list[object], label: str, after: int) -> tuple[object, str, int]:
    """Run ARGS on a terminal, press Ctrl-C once the LABEL bar has counted AFTER items; (result, output, pid)."""
    s = PtySession([*KANSOKU, *args], cwd=tmp_path)

    def counted(out: str) -> bool:
        counts = re.findall(rf"{label} +━+ +(\d+)/", out)
        return bool(counts) and int(counts[-1]) >= after

    assert s.wait_until(counted, timeout=180), f"the {label} bar never counted {after} items:\n{s.output[-2000:]}"
    s.send(b"\x03")  # the terminal sends SIGINT to the whole foreground process group, workers included
    res = s.finish(timeout=60)
    return res, res.output, s.proc.pid


def _assert_interrupted(res, output: str, pid: int) -> None:  # type: ignore[no-untyped-def]
    assert res.status == 130, output[-2000:]
    for bad in ("Traceback", "KeyboardInterrupt", "PoolWorker", "Aborted"):
        assert bad not in output, output[-3000:]
    last = [x for x in output.splitlines() if x.strip()][-1]
    assert last.endswith("kansoku: interrupted"), last
    # the worker pool is shut down: no process of the command's session is left running
    deadline = time.monotonic() + 10
    while session_processes(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert session_processes(pid) == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no sample corpus")
class TestInterrupt:
    def test_ctrl_c_during_analyze_with_workers(self, tmp_path: Path) -> None:
        big = _repeat_corpus(tmp_path / "in", 25)
        target = tmp_path / "out.jsonl"
        target.write_text("old\n")
        res, output, pid = _interrupt(tmp_path, ["analyze", big, "--out", target, "--workers", "2"], "analyse", 10)
        _assert_interrupted(res, output, pid)
        assert target.read_text() == "old\n"
        assert leftovers(tmp_path) == []

    @pytest.mark.skipif(not LIVEDOOR.is_dir(), reason="livedoor news not in ../shared/eval")
    def test_ctrl_c_during_analyze_of_livedoor(self, tmp_path: Path) -> None:
        target = tmp_path / "out.jsonl"
        res, output, pid = _interrupt(tmp_path, ["analyze", LIVEDOOR, "--out", target, "--workers", "2"],
                                      "analyse", 10)  # fmt: skip
        _assert_interrupted(res, output, pid)
        assert not target.exists() and leftovers(tmp_path) == []

    def test_ctrl_c_during_ingest_keeps_a_usable_store(self, tmp_path: Path) -> None:
        big = _repeat_corpus(tmp_path / "in", 25)
        db = tmp_path / "k.db"
        res, output, pid = _interrupt(tmp_path, ["ingest", big, "--db", db, "--workers", "2", "--batch-size", "4"],
                                      "ingest", 10)  # fmt: skip
        _assert_interrupted(res, output, pid)
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = con.execute("SELECT count(*) FROM sources").fetchone()[0]
        finally:
            con.close()
        # 10 items were counted, so at least two batches of 4 were committed; the run did not finish
        assert 8 <= stored < 25 * 15
        r = kansoku("stories", "--db", db, "--format", "json", cwd=tmp_path)
        assert r.returncode == 0 and isinstance(json.loads(r.stdout), list)


def test_forkserver_workers_ignore_sigint_only_after_quiet_workers() -> None:
    """The mechanism behind the clean Ctrl-C, in a fresh interpreter: a pool worker's SIGINT handler."""
    code = (
        "import multiprocessing as mp, signal, sys\n"
        "from kansoku.cliutil import quiet_workers\n"
        "if __name__ == '__main__':\n"
        "    if sys.argv[1] == 'quiet': quiet_workers(2)\n"
        "    with mp.get_context('forkserver').Pool(1) as p:\n"
        "        print(p.apply(signal.getsignal, (signal.SIGINT,)) is signal.SIG_IGN)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = {mode: subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, env=env,
                                timeout=60).stdout.strip() for mode in ("quiet", "plain")}  # fmt: skip
    assert out == {"quiet": "True", "plain": "False"}
