"""The command line: with cli_batch.py (its batch part) the only module that prints, and where errors
become exit codes."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from broadcast import __version__, stopping
from broadcast.errors import EXIT_CODES, BroadcastError, OutputError, UsageError

_EPILOG = "exit codes: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # "broadcast build: ..." reads "broadcast: error: build: ..." once main adds its prefix.
        where = self.prog.removeprefix("broadcast").strip()
        raise UsageError(f"{where + ': ' if where else ''}{message} (see {self.prog} --help)")


def _bitrate(value: str) -> int:
    """A CBR bitrate, checked where it is typed: a bad command-line value is exit 2, not a config error."""
    from broadcast.audio.targets import CBR_BITRATES_KBPS

    try:
        kbps = int(value)
    except ValueError:
        kbps = 0
    if kbps not in CBR_BITRATES_KBPS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an MP3 bitrate (use one of {', '.join(map(str, CBR_BITRATES_KBPS))})"
        )
    return kbps


def _unknown_command(argv: list[str], commands: list[str]) -> UsageError | None:
    """A mistyped subcommand gets one line with the nearest command, not argparse's list."""
    import difflib

    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] in commands:
        return None
    near = difflib.get_close_matches(words[0], commands, n=1, cutoff=0.5)
    hint = f" (did you mean {near[0]}?)" if near else f" (commands: {', '.join(commands)})"
    return UsageError(f"unknown command {words[0]!r}{hint}")


def _common(p: argparse.ArgumentParser, batch: bool = False) -> None:
    p.add_argument(
        "article",
        nargs="*" if batch else None,  # build: several, a directory, or none with --from
        help="the article: a plain-text copy of a web page, an HTML file, an http(s) URL, or - for text on stdin, "
        "or a script file (broadcast script ARTICLE -o FILE) to build as edited"
        + ("; several, or a directory of them, build a batch" if batch else ""),
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="show settings (default: ./show.toml if present)")
    p.add_argument("--voices", type=Path, metavar="DIR", help="voice profiles (default: ./voices)")
    p.add_argument("--title", metavar="TEXT", help="the headline to use, whatever the page says")
    p.add_argument(
        "--author",
        action="append",
        default=[],
        metavar="NAME",
        help="a reporter's name (repeat for each); replaces the byline",
    )
    p.add_argument("--date", metavar="DATE", help="publication date, YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM]")
    p.add_argument("--source-name", metavar="NAME", help="the station or publication named on air")
    p.add_argument(
        "--allow-private-urls",
        action="store_true",
        help="fetch a URL even from a loopback, private, link-local or reserved address (refused by default)",
    )


def _workers(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of workers (1 or more)")
    return count


def _batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from", dest="from_list", metavar="LIST", help="build the articles LIST names, one a line (- reads stdin)"
    )
    p.add_argument(
        "-j", "--jobs", type=_workers, metavar="N", help="build N articles at once (default: the number of cores)"
    )
    p.add_argument("--fail-fast", action="store_true", help="in a batch, start no new build once one has failed")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="build on a Dask cluster (needs the dask extra)")


def _strict(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--strict",
        action="store_true",
        help="publishing for real: refuse placeholder addresses (example.org ...) and a base_url, link or "
        "owner_email on localhost or a private address, which directories cannot reach",
    )


def _check_show(show, strict: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """Refuse what a directory would (exit 5) before anything is read or written; the placeholders
    that --strict would refuse, for the caller to warn about."""
    from broadcast.publish.show_rules import check_show, placeholder_warnings

    check_show(show, strict)
    return placeholder_warnings(show)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"broadcast: warning: {warning}", file=sys.stderr)


def _output(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--output", type=Path, default=Path("output"), metavar="DIR", help=f"{what} (default: output)")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="broadcast",
        description="Turn a news article into a reviewed script and a podcast episode.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"broadcast {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    build = sub.add_parser(
        "build",
        help="build an episode folder from an article",
        description="Build output/<date>-<slug>/ with episode.mp3, script.txt and episode.json, and print the script.",
        epilog=_EPILOG,
    )
    _common(build, batch=True)
    _batch_options(build)
    _output(build, "where episode folders go")
    build.add_argument("--bitrate", type=_bitrate, metavar="KBPS", help="MP3 bitrate in kbit/s (default 96)")
    build.add_argument("--stereo", action="store_true", help="two channels instead of mono")
    build.add_argument("--id3", choices=("2.3", "2.4"), help="ID3 version (default 2.3, read by the most players)")
    build.add_argument("--quiet", action="store_true", help="do not print the script")
    build.add_argument(
        "--pub-date",
        metavar="DATE",
        help="the feed's pubDate for this episode, as --date (default: kept from its first build, else now)",
    )
    _strict(build)
    cache = build.add_mutually_exclusive_group()
    cache.add_argument(
        "--cache", type=Path, metavar="DIR", help="sentence clip cache (default: $XDG_CACHE_HOME/broadcast/clips)"
    )
    cache.add_argument("--no-cache", action="store_true", help="speak every sentence; read and write no cache")

    script = sub.add_parser(
        "script",
        help="print the on-air script for review",
        description="Print the on-air script of an article without synthesizing it.",
        epilog=_EPILOG,
    )
    _common(script)
    script.add_argument(
        "--spoken",
        action="store_true",
        help="show what the engine will say: numbers, dates, abbreviations and lexicon entries "
        "expanded, each change marked {written → spoken}",
    )
    script.add_argument(
        "--explain",
        action="store_true",
        help="instead of the script, show every line of a plain-text page with the role it was given "
        "(kept + or dropped -) and the strongest reason",
    )
    script.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the editable script file to FILE (- for stdout) instead of printing the script; "
        "edit it and build from it: broadcast build FILE",
    )

    feed = sub.add_parser(
        "feed",
        help="rebuild the podcast feed from the episode folders",
        description="Rewrite OUTPUT/feed.xml (RSS 2.0 + iTunes + Podcasting 2.0) from every episode folder in OUTPUT.",
        epilog=_EPILOG,
    )
    _output(feed, "the episode folders")
    feed.add_argument("--config", type=Path, metavar="FILE", help="show settings (default: ./show.toml if present)")
    feed.add_argument(
        "--stamp",
        action="store_true",
        help="set lastBuildDate to the current time "
        "(default: the newest episode's date, so the feed text is deterministic)",
    )
    feed.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list every problem (broken episode.json, missing or resized MP3, "
        "a feed that cannot be rendered, show settings a directory refuses) and exit 8 if there is any; "
        "placeholder addresses are listed as warnings",
    )
    _strict(feed)

    review = sub.add_parser(
        "review",
        help="print the path of an episode's review page and open it in a browser",
        description="Print the path of EPISODE's review.html (audio, script by sentence, spoken form, chapters, "
        "loudness) and open it in the default browser when one is there and the output is a terminal.",
        epilog=_EPILOG,
    )
    review.add_argument("episode", metavar="EPISODE", help="an episode folder's name in OUTPUT, or its path")
    _output(review, "the episode folders")
    review.add_argument("--no-open", action="store_true", help="only print the path")
    remove = sub.add_parser(
        "remove",
        help="remove an episode folder and its feed item",
        description="Remove OUTPUT/EPISODE and its item in OUTPUT/feed.xml as one step: "
        "a failure leaves both as they were.",
        epilog=_EPILOG,
    )
    remove.add_argument("episode", metavar="EPISODE", help="an episode folder's name in OUTPUT, or the episode's guid")
    _output(remove, "the episode folders")
    remove.add_argument("--config", type=Path, metavar="FILE", help="show settings (default: ./show.toml if present)")

    voices = sub.add_parser(
        "voices",
        help="list the voices the engines offer",
        description="List the voice ids a profile can name, and the profiles each role uses.",
        epilog=_EPILOG,
    )
    voices.add_argument("--voices", type=Path, metavar="DIR", help="voice profiles (default: ./voices)")
    voices.add_argument("--all", action="store_true", help="every language, not only English")
    return parser


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from broadcast.config import load_settings, validate_audio

    settings = load_settings(args.config, getattr(args, "voices", None))
    audio = settings.audio
    if getattr(args, "bitrate", None):
        audio = replace(audio, bitrate_kbps=args.bitrate)
    if getattr(args, "stereo", False):
        audio = replace(audio, channels=2)
    if getattr(args, "id3", None):
        audio = replace(audio, id3_version=int(args.id3[-1]))
    validate_audio(audio, "command line")
    return replace(settings, audio=audio)


def _article(args: argparse.Namespace, settings):  # type: ignore[no-untyped-def]
    """The article, and the script when ARTICLE is a script file (else None: made from the article)."""
    from broadcast.input.overrides import Overrides, apply_overrides
    from broadcast.input.preflight import check_article
    from broadcast.input.source import page_article, read_page
    from broadcast.model import Article

    overrides = Overrides(args.title, tuple(args.author), args.date, args.source_name)
    apply_overrides(Article(headline="", body=()), overrides)  # a bad value fails before any download
    page = read_page(args.article, sys.stdin.buffer, allow_private=args.allow_private_urls)
    script = _script_file(page, overrides, settings)
    article = script[0] if script else apply_overrides(page_article(page), overrides)
    name = "<stdin>" if args.article == "-" else args.article
    check_article(article, name, [p.voice for _, p in settings.voices])
    return article, script[1] if script else None


def _script_file(page, overrides, settings):  # type: ignore[no-untyped-def]
    """(article, script) of a script file, recognised by its first line whatever its name."""
    from broadcast.errors import ArticleError
    from broadcast.script.script_file import MARKER, is_script_file, parse_script_file
    from broadcast.speech.spoken import find_entry

    if not is_script_file(page.text):
        if page.name.endswith(".script"):
            raise ArticleError(f"{page.name}:1: not a script file (its first line must be '{MARKER} 1')")
        return None
    values = (overrides.title, overrides.authors, overrides.date, overrides.source_name)
    options = ("--title", "--author", "--date", "--source-name")
    given = [o for o, v in zip(options, values, strict=True) if v not in (None, ())]
    if given:
        raise UsageError(f"{given[0]}: a script file's header says it; edit the file instead")
    roles = [role for role, _ in settings.voices]
    parsed = parse_script_file(page.text, page.name, roles, lambda t: find_entry(settings.lexicon, t) is not None)
    return parsed.article(), parsed.script()


def _write_script_file(target: str, article, script) -> None:  # type: ignore[no-untyped-def]
    from broadcast.publish.files import write_atomic
    from broadcast.script.script_file import render_script_file, script_file

    text = render_script_file(script_file(article, script))
    if target == "-":
        sys.stdout.write(text)
        return
    if Path(target).is_dir():
        raise OutputError(f"{target}: is a directory (give a file name for the script file)")
    write_atomic(Path(target), text.encode("utf-8"))
    print(f"script file: {target}")


def cmd_explain(args: argparse.Namespace) -> int:
    from broadcast.input.explain import render_explanation
    from broadcast.input.plain import judge_lines
    from broadcast.input.source import read_page

    page = read_page(args.article, sys.stdin.buffer, allow_private=args.allow_private_urls)
    if page.html:
        raise UsageError(
            f"{page.name}: --explain shows the line roles of a plain-text page; this is HTML, "
            "whose main text trafilatura finds (save the page as text to explain it)"
        )
    sys.stdout.write(render_explanation(judge_lines(page.text), page.name))
    return 0


def cmd_script(args: argparse.Namespace) -> int:
    from broadcast.script.write import build_script, render_script

    if args.explain:
        return cmd_explain(args)
    if args.output is not None and args.spoken:
        raise UsageError("script: -o writes the script file; --spoken only prints (use one)")
    settings = _settings(args)
    article, script = _article(args, settings)
    script = script or build_script(article, settings.casting)
    if args.output is not None:
        _write_script_file(args.output, article, script)
        return 0
    blocks = None
    if args.spoken:
        from broadcast.speech.spoken import marked, speak_script

        spoken = speak_script(script, settings.lexicon, settings.profile)
        blocks = [[marked(s) for s in cue.spoken] for cue in spoken.cues]
    sys.stdout.write(render_script(script, settings.rates, settings.audio.pauses, blocks))
    return 0


def _now() -> datetime:
    """The one reading of the clock a command makes. BROADCAST_NOW (ISO 8601 with an offset) fixes
    it: a testing hook, read here only."""
    fixed = os.environ.get("BROADCAST_NOW", "").strip()
    if not fixed:
        return datetime.now(timezone.utc).replace(microsecond=0)  # a feed's dates have whole seconds
    try:
        when = datetime.fromisoformat(fixed)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise UsageError(f"BROADCAST_NOW: {fixed!r} is not an ISO 8601 date and time with an offset")
    return when.astimezone(timezone.utc)


def cmd_build(args: argparse.Namespace) -> int:
    from broadcast.batch.inputs import batch_articles
    from broadcast.input.overrides import parse_date
    from broadcast.script.write import clock

    names = batch_articles(args.article, args.from_list, sys.stdin.buffer)
    if not names:
        raise UsageError("build: the following arguments are required: article (see broadcast build --help)")
    pub_date = None
    if args.pub_date is not None:
        from broadcast.publish.episode import utc  # the publishing stage loads during the speech otherwise

        pub_date = utc(parse_date(args.pub_date, "--pub-date"))
    if len(names) > 1 or args.scheduler:
        from broadcast.cli_batch import build_batch

        return build_batch(args, names, pub_date, _now, _settings, _check_show, _clip_cache, _article, _warn)
    args.article = names[0]
    now = _now()
    settings = _settings(args)
    from broadcast.config import REQUIRED_ROLES
    from broadcast.speech.engines.lanes import started_lanes

    voices = [settings.profile(role) for role in REQUIRED_ROLES]  # the voices every article speaks
    with started_lanes(voices, os.cpu_count() or 1) as started:  # their workers boot while the build reads
        from broadcast.pipeline import build_episode

        warnings = _check_show(settings.show, args.strict)
        article, script = _article(args, settings)
        progress = (lambda msg: print(f"  {msg}", file=sys.stderr)) if sys.stderr.isatty() else (lambda _m: None)
        cache = _clip_cache(args)
        episode = build_episode(article, settings, args.output, progress, cache, now, pub_date, script, started=started)
    if cache and cache.store_failure:
        print(f"broadcast: warning: cache {cache.root}: {cache.store_failure}; new clips not kept", file=sys.stderr)
    _warn(warnings)  # once built: a failed build stays one line, its error
    _warn_skipped(episode.skipped)
    if not args.quiet:
        sys.stdout.write(episode.script_text + "\n")
    print(f"episode: {episode.mp3} ({clock(episode.duration_ms)}, {episode.size_bytes / 1e6:.2f} MB)")
    return 0


def _clip_cache(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The clip cache the build uses, or None (--no-cache, or a folder that cannot be written: a warning)."""
    from broadcast.speech.cache import default_cache_dir, max_bytes_from_env, open_clip_cache

    if args.no_cache:
        return None
    max_bytes = max_bytes_from_env()
    root = args.cache or default_cache_dir()
    try:
        return open_clip_cache(root, max_bytes)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"broadcast: warning: cache {root}: {reason}; building without the cache", file=sys.stderr)
        return None


def _warn_skipped(reasons: tuple[str, ...]) -> None:
    for reason in reasons:
        print(f"broadcast: warning: {reason}; left out of the feed", file=sys.stderr)


def cmd_remove(args: argparse.Namespace) -> int:
    from broadcast.pipeline import remove_episode

    settings = _settings(args)
    name, skipped = remove_episode(args.output, settings, args.episode)
    _warn_skipped(skipped)
    print(f"removed: {args.output / name} and its feed item")
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    from broadcast.pipeline import publish_feed, show_cover
    from broadcast.publish.feed import FEED_NAME, check_feed, placeholder_warnings
    from broadcast.publish.files import prepare_root

    settings = _settings(args)
    if args.check:
        problems = check_feed(args.output, settings.show, args.strict)
        warnings = [] if args.strict else placeholder_warnings(settings.show)  # --strict lists them as problems
        for line in [f"warning: {w}" for w in warnings] + problems:
            print(line)
        if problems:
            raise OutputError(f"{args.output}: the feed check found {len(problems)} problem(s)")
        print(f"feed check: {args.output}: no problems" + (f", {len(warnings)} warning(s)" if warnings else ""))
        return 0
    warnings = _check_show(settings.show, args.strict)
    if not args.output.is_dir():
        prepare_root(args.output)
    now = _now() if args.stamp else None
    skipped = publish_feed(args.output, settings, show_cover(settings), now=now)
    _warn(warnings)
    _warn_skipped(skipped)
    print(f"feed: {args.output / FEED_NAME}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    import webbrowser

    from broadcast.publish.review import find_review_page

    page = find_review_page(args.episode, args.output).resolve()
    print(page, flush=True)
    if args.no_open or not sys.stdout.isatty():  # a script or a pipe wants the path, not a window
        return 0
    try:
        opened = webbrowser.get().open(page.as_uri())
    except webbrowser.Error:
        opened = False
    if not opened:
        print("broadcast: no web browser could be started; open the page above in one", file=sys.stderr)
    return 0


def cmd_voices(args: argparse.Namespace) -> int:
    from broadcast.config import find_voices_dir, load_voices
    from broadcast.speech.engines import engine_names, open_engine

    for name in engine_names():
        engine = open_engine(name)
        try:
            voices = engine.voices()
        finally:
            engine.close()
        shown = [v for v in voices if args.all or any(lang.startswith("en") for lang in v.languages)]
        print(f"{name}: {len(voices)} voices{'' if args.all else f', {len(shown)} English (--all for every language)'}")
        for v in sorted(shown, key=lambda v: v.id):
            print(f"  {v.id:<28} {v.name:<28} {','.join(v.languages)}")
    print("roles:")
    for role, prof in load_voices(find_voices_dir(args.voices)):
        print(f"  {role:<10} {prof.name} ({prof.engine} {prof.voice}, {prof.rate} wpm, volume {prof.volume})")
    return 0


_COMMANDS = {
    "build": cmd_build,
    "script": cmd_script,
    "feed": cmd_feed,
    "review": cmd_review,
    "remove": cmd_remove,
    "voices": cmd_voices,
}


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so every `finally` cleans up as on Ctrl-C."""


def _quiet_unraisable(unraisable: object) -> None:
    """Once stopping, an object the signal cut off mid-construction may fail in its destructor
    (wave's "'Wave_write' object has no attribute '_file'"); that noise is no news to the user.
    A signal handled while a destructor runs raises there, and Python swallows it: the signal is
    sent again, from a thread a moment later (not within this hook, where it would be swallowed
    too), so that it stops the program where it can (a build once finished with exit 0)."""
    exc = getattr(unraisable, "exc_value", None)
    if isinstance(exc, KeyboardInterrupt):
        again = signal.SIGTERM if isinstance(exc, _Terminated) else signal.SIGINT
        timer = threading.Timer(0.01, os.kill, (os.getpid(), again))
        timer.daemon = True
        timer.start()


def _terminate(signum: int, frame: object) -> None:
    sys.unraisablehook = _quiet_unraisable
    stopping.ask(_Terminated)
    raise _Terminated


def _interrupt(signum: int, frame: object) -> None:
    sys.unraisablehook = _quiet_unraisable
    stopping.ask(KeyboardInterrupt)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    # Only the main thread may set a handler (a test may call main from another).
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    # Only when Ctrl-C would interrupt at all (a shell's background job ignores SIGINT).
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
    try:
        code = _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    return code


def run() -> None:
    """The `broadcast` command and `python -m broadcast`: main, then exit without the interpreter's
    teardown of numpy and the rest (0.1 s a build). Its work is done and every file closed;
    nothing is left but the output streams, flushed here. Callers of main() keep their process."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone away, or a stream closed
            pass
    os._exit(code)


def _main(argv: list[str] | None) -> int:
    args = None
    stopping.clear()
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = make_parser()
        if not argv:  # the bare command: what it can do, not an error
            parser.print_help()
            return 0
        mistyped = _unknown_command(argv, list(_COMMANDS))
        if mistyped:
            raise mistyped
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return UsageError.exit_code
        code = _COMMANDS[args.command](args)
        stopping.check()  # a signal whose exception Python dropped still ends in its exit code
        return code
    except BroadcastError as exc:
        print(f"broadcast: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except _Terminated:
        print("broadcast: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("broadcast: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`broadcast voices | head`): stop quietly, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # a bug: one line, unless --debug asks for the traceback
        if args is not None and args.debug:
            traceback.print_exc()
        else:
            print(f"broadcast: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
