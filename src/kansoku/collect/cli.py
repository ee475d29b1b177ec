"""``kansoku collect``: the command; :func:`register` adds it to the Typer app of :mod:`kansoku.cli`."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from kansoku.cliutil import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    DbOption,
    check_target,
    err,
    progress,
    quiet_workers,
    store_path,
)
from kansoku.outputs import check_folder, check_store


def register(app: typer.Typer) -> None:
    from kansoku.collect import DEFAULT_USER_AGENT

    @app.command()
    def collect(
        sources: Annotated[
            list[str],
            typer.Argument(
                help="RSS/Atom feed, sitemap or home-page URLs (a home page's feeds are found), "
                "or files: a list of URLs (one a line) or an OPML list of feeds.",
                show_default=False,
            ),
        ],
        db: DbOption = None,
        since: Annotated[
            str | None, typer.Option(help="Skip items their feed or sitemap dates before YYYY-MM-DD.")
        ] = None,
        max_articles: Annotated[
            int | None, typer.Option("--max", min=1, help="Request at most N article pages in this run.")
        ] = None,
        delay: Annotated[
            float, typer.Option(min=0.0, help="Seconds between the end of one request to a host and the next "
                                   "(one at a time; robots.txt may ask more).")
        ] = 1.0,
        concurrency: Annotated[
            int, typer.Option(min=1, max=64, help="Requests in flight at once (per host too with --delay 0).")
        ] = 2,
        user_agent: Annotated[str, typer.Option(help="User-Agent header; add a contact address.")] = DEFAULT_USER_AGENT,
        ignore_robots: Annotated[
            bool, typer.Option("--ignore-robots", help="Do not read or obey robots.txt.")
        ] = False,
        allow_private: Annotated[
            bool,
            typer.Option(
                "--allow-private",
                help="Allow loopback, private and link-local addresses (refused by default against SSRF).",
            ),
        ] = False,
        archive: Annotated[
            Path | None,
            typer.Option(help="Keep the raw bytes of fetched pages as files here instead of in the store."),
        ] = None,
        recheck: Annotated[
            bool, typer.Option("--recheck", help="Ask again (conditionally) for pages collected before.")
        ] = False,
        timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per request, body included.")] = 30.0,
        retries: Annotated[int, typer.Option(min=0, max=10, help="Retries on 429, 5xx and timeouts.")] = 2,
        max_size: Annotated[float, typer.Option(min=0.001, help="Largest response in MB.")] = 10.0,
        workers: Annotated[int | None, typer.Option(help="Analysis processes (default: CPU count, max 4).")] = None,
        published_default: Annotated[
            str | None, typer.Option(help="Publication date (YYYY-MM-DD) for articles that state none.")
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar (for cron).")] = False,
    ) -> None:
        """Fetch new articles from feeds, sitemaps, home pages and URL lists; analyse and store them.

        Polite (robots.txt, a delay per host, retries with back-off) and incremental (conditional requests;
        pages already collected are not requested again unless their listing dates them later)."""
        from kansoku.collect.run import CollectOptions, Event
        from kansoku.collect.run import collect as run_collect

        for name, value in (("--since", since), ("--published-default", published_default)):
            if value is not None:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    err(f"{name}: expected YYYY-MM-DD, got {value!r}")
                    raise typer.Exit(EXIT_USAGE) from None
        target, option = store_path(db)
        check_target(check_store, target, option, write=True)
        if archive is not None:
            check_target(check_folder, archive, "--archive")
        options = CollectOptions(
            since=since, max_articles=max_articles, delay=delay, concurrency=concurrency, user_agent=user_agent,
            ignore_robots=ignore_robots, allow_private=allow_private, archive=archive, recheck=recheck,
            timeout=timeout, retries=retries, max_bytes=int(max_size * 1024 * 1024), workers=workers,
            published_default=published_default,
        )  # fmt: skip
        quiet_workers(workers)
        try:
            with progress("collect", quiet) as rep:

                def on_event(e: Event) -> None:
                    if e.kind == "failed":
                        rep.line(f"{e.url}: {e.detail}")
                    elif e.kind == "warning":
                        rep.line(f"{e.url}: warning: {e.detail}")
                    elif e.kind == "page":
                        rep.item(e.url)

                stats = run_collect(sources, target, options, on_event)
        except (RuntimeError, OSError, sqlite3.DatabaseError) as exc:
            err(f"{option} {target}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        err(f"{target}: {stats.summary()}")
        raise typer.Exit(EXIT_FAILED if stats.failed else EXIT_OK)
