"""Pieces shared by every kansoku command: the error line, ``--db``, the progress bar, Ctrl-C handling.

- :func:`err` prints the one-line message ``kansoku: WHAT: reason`` on stderr.
- :data:`DbOption` and :func:`store_path` are the one definition of ``--db`` (default ``$KANSOKU_DB`` or
  ``./kansoku.db``).
- :func:`progress` yields a :class:`Reporter`: a Rich progress bar on stderr when it is a terminal (errors and
  warnings are printed above the bar), plain lines otherwise.
- :class:`KansokuGroup` is the Typer group of the app: Ctrl-C ends any command with ``kansoku: interrupted``
  and exit status 130, a bad output target (:class:`kansoku.outputs.TargetError`) with its line and status 2.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kansoku.outputs import TargetError

if TYPE_CHECKING:
    from kansoku.model import ReadError

#: Exit statuses: everything done, some input failed, usage error or bad target, interrupted (128 + SIGINT).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store (default: $KANSOKU_DB or ./kansoku.db).", show_default=False),
]


def err(msg: str) -> None:
    """Print ``kansoku: MSG`` on stderr."""
    print(f"kansoku: {msg}", file=sys.stderr, flush=True)


def store_path(db: Path | None) -> tuple[Path, str]:
    """The store to use and how the user named it (``--db`` or ``$KANSOKU_DB``), for messages."""
    if db is not None:
        return db, "--db"
    env = os.environ.get("KANSOKU_DB")
    if env:
        return Path(env), "$KANSOKU_DB"
    from kansoku.store.db import DEFAULT_DB

    return Path(DEFAULT_DB), "--db"


class Reporter:
    """Where a batch command reports errors, warnings and progress; see :func:`progress`."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress = progress
        self._task = task

    @property
    def shown(self) -> bool:
        """True when a progress bar is on screen."""
        return self._progress is not None

    def line(self, msg: str) -> None:
        """Print ``kansoku: MSG`` on stderr (above the bar when one is shown)."""
        if self._progress is not None:
            self._progress.console.print(f"kansoku: {msg}", markup=False, highlight=False, soft_wrap=True)
        else:
            err(msg)

    def error(self, e: ReadError) -> None:
        self.line(str(e))

    def warnings(self, source: str, notes: list[str] | None) -> None:
        """One line ``kansoku: SOURCE: warning: TEXT`` per note (not a failure)."""
        for note in notes or ():
            self.line(f"{source}: warning: {note}")

    def item(self, source: str) -> None:
        """One more input done; SOURCE is shown beside the bar."""
        if self._progress is not None:
            self._progress.update(self._task, advance=1, last=Path(source.split("#")[0]).name[:40])


@contextmanager
def progress(label: str, quiet: bool = False) -> Iterator[Reporter]:
    """A :class:`Reporter` with a Rich progress bar labelled LABEL on stderr when stderr is a terminal and
    not QUIET; the bar is stopped however the block ends."""
    if quiet or not sys.stderr.isatty():
        yield Reporter()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"), console=Console(stderr=True), transient=False,
    )  # fmt: skip
    task = bar.add_task(label, total=None, last="")
    bar.start()
    try:
        yield Reporter(bar, task)
    finally:
        bar.stop()


def quiet_workers(workers: int | None) -> None:
    """Start multiprocessing's fork server with SIGINT ignored, so that the worker processes it forks ignore
    Ctrl-C: a terminal sends SIGINT to the whole process group, and only the main process should handle it
    (it stops the pool); otherwise every worker prints a KeyboardInterrupt traceback."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)  # the pipeline's default
    if workers <= 1 or os.name != "posix":
        return
    from multiprocessing import forkserver

    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, old)


class KansokuGroup(TyperGroup):
    """The app's command group: Ctrl-C and bad output targets end a command with one line, no traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            err("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except TargetError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None


def check_target(check: Any, *args: Any, **kwargs: Any) -> None:
    """Run an output-target check of :mod:`kansoku.outputs`; on a TargetError print its line and exit 2."""
    try:
        check(*args, **kwargs)
    except TargetError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
