"""`broadcast build` with many articles: the batch's part of the command line, so it prints
(progress on stderr, the summary table on stdout) like cli.py, which hands it the command."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TextIO

from broadcast.batch.job import BuildJob, Outcome
from broadcast.batch.run import BatchResult, run_batch
from broadcast.errors import BatchError, UsageError

# Options that describe one article: with several, each would be wrong for all but one.
_ARTICLE_OPTIONS = (("title", "--title"), ("author", "--author"), ("date", "--date"))
_ARTICLE_OPTIONS += (("pub_date", "--pub-date"), ("source_name", "--source-name"))


def _clock(ms: int) -> str:
    from broadcast.script.write import clock

    return clock(ms)


def _error_line(outcome: Outcome) -> str:
    # Most errors already start with the file they are about.
    return outcome.error if outcome.error.startswith(outcome.name) else f"{outcome.name}: {outcome.error}"


class Progress:
    """A bar with done/failed counts on a terminal; else one line per finished article."""

    def __init__(self, total: int, output: str, stream: TextIO = sys.stderr) -> None:
        self.total, self.output, self.stream = total, output.rstrip("/"), stream
        self.done = self.failed = 0
        self.bar = None
        if stream.isatty():
            import tqdm

            tqdm.tqdm.monitor_interval = 0  # no monitor thread: the local pool forks later
            width = shutil.get_terminal_size().columns  # a window that reports no size gets 80
            self.bar = tqdm.tqdm(total=total, unit="article", file=stream, ncols=width, leave=True)
            self.bar.set_description_str("ok 0, failed 0")  # in front: a narrow window cuts the end

    def _line(self, text: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_description_str(f"ok {self.done - self.failed}, failed {self.failed}")
            self.bar.update(1)
        else:
            print(f"[{self.done}/{self.total}] {text}", file=self.stream, flush=True)

    def finished(self, outcome: Outcome) -> None:
        if outcome.ok:
            self._line(f"ok   {self.output}/{outcome.folder} ({_clock(outcome.duration_ms)})")
        else:
            self.failed += 1
            self._line(f"FAIL {_error_line(outcome)}")

    def duplicate(self, name: str, first: str) -> None:
        self._line(f"same {name}: the same episode as {first}, built once")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary_table(result: BatchResult, output: str) -> str:
    rows = [("article", "episode", "duration", "result")]
    for o in result.outcomes:
        folder = f"{output.rstrip('/')}/{o.folder}" if o.folder else "-"
        duration = _clock(o.duration_ms) if o.ok else "-"
        what = f"ok (same episode as {o.duplicate_of})" if o.duplicate_of and o.ok else "ok"
        rows.append((o.name, folder, duration, what if o.ok else _error_line(o).removeprefix(f"{o.name}: ")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3] for row in rows]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _backend(args: argparse.Namespace) -> Any:
    if args.scheduler:
        from broadcast.batch.cluster import DaskCluster

        return DaskCluster(args.scheduler)
    from broadcast.batch.local import LocalPool, default_workers

    return LocalPool(args.jobs or default_workers())


def build_batch(
    args: argparse.Namespace,
    names: list[str],
    pub_date: datetime | None,
    now: Callable[[], datetime],
    load_settings: Callable[..., Any],
    check_show: Callable[..., list[str]],
    clip_cache: Callable[..., Any],
    load_article: Callable[..., Any],
    warn: Callable[[list[str]], None],
) -> int:
    if len(names) > 1:
        given = [flag for attr, flag in _ARTICLE_OPTIONS if getattr(args, attr)]
        if given:
            raise UsageError(
                f"build: {', '.join(given)} describe one article; a batch of {len(names)} cannot take them"
            )
    when = now()
    settings = load_settings(args)
    warnings = check_show(settings.show, args.strict)
    cache = clip_cache(args)
    output = str(args.output)

    def load(name: str) -> Any:
        return load_article(argparse.Namespace(**{**vars(args), "article": name}), settings)

    def make_job(name: str, loaded: Any) -> BuildJob:
        shown = "<stdin>" if name == "-" else name
        article, script = loaded  # the script when the article is a script file, else None
        # A cluster worker's working directory is not ours: it gets the absolute path.
        output_dir = args.output.resolve() if args.scheduler else args.output
        # Local workers share this machine: each build's speech lanes get its share of the cores,
        # so -j 2 runs two one-lane builds rather than four lanes on two cores.
        cores = None if args.scheduler else max(1, (os.cpu_count() or 1) // backend.workers)
        return BuildJob(shown, article, settings, output_dir, cache, when, pub_date, script, cores)

    backend = _backend(args)  # local workers fork here, before the progress bar exists
    progress = Progress(len(names), output)
    try:
        result = run_batch(names, load, make_job, backend, settings, args.output, progress, args.fail_fast)
    finally:
        progress.close()
    result = replace(
        result, outcomes=tuple(replace(o, name="<stdin>") if o.name == "-" else o for o in result.outcomes)
    )
    sys.stdout.write(summary_table(result, output))
    warn(warnings)
    warn([w for o in result.outcomes for w in o.warnings])
    warn([f"{o.name}: the same episode as {o.duplicate_of}; built once" for o in result.outcomes if o.duplicate_of])
    warn([f"{reason}; left out of the feed" for reason in result.skipped])
    left = len(names) - len(result.outcomes)
    if result.feed_error:
        warn([f"the feed was not written: {result.feed_error}"])
    failures = result.failures
    if failures or left or result.feed_error:
        for o in failures:
            if o.traceback and args.debug:  # a bug in the build, as --debug shows one for one article
                sys.stderr.write(o.traceback)
            print(f"broadcast: failed: {_error_line(o)}", file=sys.stderr)
        parts = [f"{len(failures)} of {len(names)} articles failed"] if failures else []
        parts += [f"{left} not started (--fail-fast)"] if left else []
        parts += ["the feed was not written"] if result.feed_error else []
        raise BatchError("build: " + "; ".join(parts))
    built = sum(1 for o in result.outcomes if not o.duplicate_of)
    print(f"episodes: {built} built in {output}; feed: {output.rstrip('/')}/feed.xml")
    return 0
