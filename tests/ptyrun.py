"""Run a command on a pseudo-terminal, as a user at a terminal would (test helper, stdlib only).

The child becomes a session leader with the pty as its controlling terminal, so stdin, stdout and stderr
are a terminal (Rich shows progress bars and tables), the window size is set with TIOCSWINSZ, and a ^C
written to the master sends SIGINT to the whole foreground process group, worker processes included.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KANSOKU = [sys.executable, "-m", "kansoku.cli"]
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")


def plain(text: str) -> str:
    """TEXT without terminal escape sequences and carriage returns."""
    return _ANSI.sub("", text).replace("\r", "")


@dataclass
class PtyResult:
    status: int
    output: str  # everything written to the terminal (stdout and stderr), escape sequences removed
    raw: str


def _child_setup() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtySession:
    """A running command on its own pty."""

    def __init__(self, args: list[object], cwd: Path | None = None, env: dict | None = None,
                 cols: int = 120, rows: int = 40) -> None:  # fmt: skip
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "FORCE_COLOR")}
        full_env.update(
            COLUMNS=str(cols), LINES=str(rows), TERM="xterm-256color",
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )  # fmt: skip
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [str(a) for a in args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=full_env,
            preexec_fn=_child_setup,  # setsid + controlling terminal, nothing else
        )  # fmt: skip
        os.close(slave)
        self.master = master
        self._buf = b""
        self._eof = False

    @property
    def output(self) -> str:
        return plain(self._buf.decode("utf-8", "replace"))

    def _read(self, wait: float) -> None:
        if self._eof:
            return
        r, _, _ = select.select([self.master], [], [], wait)
        if not r:
            return
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: every process holding the terminal is gone
            data = b""
        if data:
            self._buf += data
        else:
            self._eof = True

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match | None:
        """Read until PATTERN (a regex) appears in the plain output; None on timeout or exit."""
        return self.wait_until(lambda out: re.search(pattern, out), timeout)

    def wait_until(self, found, timeout: float = 60.0):  # type: ignore[no-untyped-def]
        """Read until FOUND(plain output) is truthy and return its value; None on timeout or exit."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = found(self.output)
            if value:
                return value
            if self._eof or (self.proc.poll() is not None and not select.select([self.master], [], [], 0)[0]):
                return found(self.output) or None
            self._read(0.1)
        return None

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 120.0) -> PtyResult:
        """Read everything until the command exits; kill it after TIMEOUT seconds."""
        end = time.monotonic() + timeout
        while not self._eof and time.monotonic() < end:
            self._read(0.1)
            if self.proc.poll() is not None:
                # drain what is left; stop when nothing more comes (a leftover process may hold the pty)
                quiet_since = time.monotonic()
                while not self._eof and time.monotonic() - quiet_since < 0.5:
                    before = len(self._buf)
                    self._read(0.1)
                    if len(self._buf) != before:
                        quiet_since = time.monotonic()
                break
        if self.proc.poll() is None:
            self.proc.kill()
        status = self.proc.wait()
        os.close(self.master)
        raw = self._buf.decode("utf-8", "replace")
        return PtyResult(status, plain(raw), raw)


def run_on_pty(args: list[object], cwd: Path | None = None, env: dict | None = None, timeout: float = 120.0,
               cols: int = 120, rows: int = 40) -> PtyResult:  # fmt: skip
    """Run ARGS on a new pty of COLS x ROWS and return its status and terminal output."""
    return PtySession(args, cwd=cwd, env=env, cols=cols, rows=rows).finish(timeout)


def session_processes(sid: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of session SID: (pid, command line)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found.append((int(d), cmd))
    return found
