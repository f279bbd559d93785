"""A feed ready for real directories: Apple's categories, e-mail and language shapes, placeholder and
local addresses, through `broadcast build`, `broadcast feed` and `broadcast feed --check` (issue 10, 15-16)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SEED, run_cli

from broadcast.config import ShowSettings
from broadcast.publish.show_rules import (
    APPLE_CATEGORIES,
    is_placeholder,
    language_problem,
    local_host,
    placeholder_warnings,
)

LOCAL_SHOW = '[show]\nbase_url = "http://localhost:8000/"\nowner_email = "producer@localhost"\n'
PLACEHOLDER_WARNINGS = [
    "broadcast: warning: show base_url is the placeholder https://example.org/podcast/; "
    "set [show] base_url in show.toml before publishing",
    "broadcast: warning: show owner_email is the placeholder podcast@example.org; "
    "set [show] owner_email in show.toml before publishing",
]


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vdir = tmp_path_factory.mktemp("voices")
    for role in ("host", "reporter"):
        (vdir / f"{role}.toml").write_text('engine = "fake"\nvoice = "tone"\nrate = 180\nvolume = 0.8\n')
    return vdir


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, voices: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The seed built as `make demo` builds it: with the repository's show.toml."""
    out = tmp_path_factory.mktemp("demo") / "output"
    proc = run_cli("build", SEED, "--output", out, "--voices", voices, "--config", ROOT / "show.toml", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return out, proc


def config(tmp_path: Path, show: str) -> Path:
    path = tmp_path / "show.toml"
    path.write_text(f"[show]\n{show}\n", encoding="utf-8")
    return path


def empty(tmp_path: Path) -> Path:
    path = tmp_path / "defaults.toml"
    path.write_text("")  # the built-in defaults, placeholders and all
    return path


# ---------------------------------------------------------------- the demo validates with no warnings


def test_the_demo_builds_and_checks_with_no_warning(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, build = demo
    assert build.stderr == ""
    proc = run_cli("feed", "--check", "--output", out, "--config", ROOT / "show.toml")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"feed check: {out}: no problems\n", "")
    assert b"<link>http://localhost:8000/</link>" in (out / "feed.xml").read_bytes()


def test_the_demo_is_a_local_preview_that_strict_refuses(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = demo
    proc = run_cli("feed", "--check", "--strict", "--output", out, "--config", ROOT / "show.toml")
    assert proc.returncode == 8
    assert proc.stdout.splitlines() == [
        "show base_url http://localhost:8000/ is on localhost, which podcast directories cannot reach; "
        "set [show] base_url to a public address before publishing",
        "show owner_email producer@localhost is on localhost, which podcast directories cannot reach; "
        "set [show] owner_email to a public e-mail address before publishing",
    ]
    assert proc.stderr == f"broadcast: error: {out}: the feed check found 2 problem(s)\n"


# ---------------------------------------------------------------- placeholders: a warning, refused by --strict


def test_the_built_in_defaults_warn_on_every_build_and_feed(tmp_path: Path, voices: Path) -> None:
    out, cfg = tmp_path / "out", empty(tmp_path)
    build = run_cli("build", SEED, "--output", out, "--voices", voices, "--config", cfg, "--quiet")
    assert build.returncode == 0, build.stderr
    assert build.stderr.splitlines() == PLACEHOLDER_WARNINGS
    feed = run_cli("feed", "--output", out, "--config", cfg)
    assert (feed.returncode, feed.stderr.splitlines()) == (0, PLACEHOLDER_WARNINGS)
    check = run_cli("feed", "--check", "--output", out, "--config", cfg)
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines() == [
        *(w.removeprefix("broadcast: ") for w in PLACEHOLDER_WARNINGS),
        f"feed check: {out}: no problems, 2 warning(s)",
    ]


def test_strict_refuses_the_placeholders_before_anything_is_written(tmp_path: Path, voices: Path) -> None:
    out, cfg = tmp_path / "out", empty(tmp_path)
    build = run_cli("build", SEED, "--output", out, "--voices", voices, "--config", cfg, "--strict")
    assert build.returncode == 5
    assert build.stderr.splitlines() == [PLACEHOLDER_WARNINGS[0].replace("warning", "error", 1)]
    assert build.stdout == "" and not out.exists()
    out.mkdir()
    feed = run_cli("feed", "--strict", "--output", out, "--config", cfg)
    assert (feed.returncode, feed.stderr.splitlines()) == (5, [PLACEHOLDER_WARNINGS[0].replace("warning", "error", 1)])
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("link", "http://192.168.1.10/show", "show link http://192.168.1.10/show is on a private address"),
        ("base_url", "http://[::1]:8000/", "show base_url http://[::1]:8000/ is on a loopback address"),
        ("link", "https://news.example.com/", "show link is the placeholder https://news.example.com/"),
        ("owner_email", "me@station.test", "show owner_email is the placeholder me@station.test"),
    ],
)
def test_strict_refuses_what_directories_cannot_reach(tmp_path: Path, key: str, value: str, says: str) -> None:
    public = {"base_url": "https://station.org/podcast/", "owner_email": "producer@station.org", key: value}
    cfg = config(tmp_path, "\n".join(f'{k} = "{v}"' for k, v in public.items()))
    (tmp_path / "out").mkdir()
    relaxed = run_cli("feed", "--output", tmp_path / "out", "--config", cfg)
    assert relaxed.returncode == 0, relaxed.stderr
    strict = run_cli("feed", "--strict", "--output", tmp_path / "out", "--config", cfg)
    assert strict.returncode == 5
    assert strict.stderr.startswith(f"broadcast: error: {says}") and strict.stderr.count("\n") == 1


# ---------------------------------------------------------------- Apple's rules, at build time and in the check

BAD = {
    "category": (
        'category = "Newz"\nsubcategory = ""',
        "show category 'Newz' is not an Apple Podcasts category (did you mean News?)",
    ),
    "subcategory": (
        'category = "Technology"\nsubcategory = "Daily News"',
        "show subcategory 'Daily News' belongs to Apple Podcasts category News, not Technology "
        '(Technology has no subcategories: set subcategory = "")',
    ),
    "email": (
        'owner_email = "not an email"',
        "show owner_email 'not an email' is not an e-mail address (expected name@domain)",
    ),
    "language": (
        'language = "english"',
        "show language 'english' is not an ISO 639 language code (such as en, en-US, de, pt-BR)",
    ),
}


@pytest.mark.parametrize("key", BAD)
def test_a_rule_failure_stops_the_build_before_anything_is_written(tmp_path: Path, voices: Path, key: str) -> None:
    show, message = BAD[key]
    out = tmp_path / "out"
    proc = run_cli("build", SEED, "--output", out, "--voices", voices, "--config", config(tmp_path, show))
    assert (proc.returncode, proc.stderr, proc.stdout) == (5, f"broadcast: error: {message}\n", "")
    assert not out.exists()


def test_feed_check_lists_every_rule_problem(tmp_path: Path) -> None:
    show = "\n".join(s for s, _ in BAD.values() if "Newz" not in s)
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("feed", "--check", "--output", out, "--config", config(tmp_path, show))
    assert proc.returncode == 8
    lines = proc.stdout.splitlines()
    assert lines == [
        PLACEHOLDER_WARNINGS[0].removeprefix("broadcast: "),  # the e-mail is no address, let alone a placeholder
        BAD["language"][1],
        BAD["subcategory"][1],
        BAD["email"][1],
    ]
    assert proc.stderr == f"broadcast: error: {out}: the feed check found 3 problem(s)\n"
    refused = run_cli("feed", "--output", out, "--config", config(tmp_path, show))
    assert (refused.returncode, refused.stderr) == (5, f"broadcast: error: {BAD['language'][1]}\n")
    assert list(out.iterdir()) == []


def test_a_near_miss_subcategory_gets_a_suggestion_and_a_good_show_passes(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    near = run_cli("feed", "--output", tmp_path / "out", "--config", config(tmp_path, 'subcategory = "Dialy News"'))
    assert near.returncode == 5
    assert near.stderr == (
        "broadcast: error: show subcategory 'Dialy News' is not an Apple Podcasts subcategory of News "
        "(did you mean Daily News?)\n"
    )
    good = (
        LOCAL_SHOW.removeprefix("[show]\n") + 'language = "pt-BR"\ncategory = "TV & Film"\nsubcategory = "After Shows"'
    )
    ok = run_cli("feed", "--output", tmp_path / "out", "--config", config(tmp_path, good))
    assert (ok.returncode, ok.stderr) == (0, "")
    assert b"<language>pt-BR</language>" in (tmp_path / "out" / "feed.xml").read_bytes()


@pytest.mark.parametrize("tag", ["en-us", "en-US", "de", "pt-BR", "EN", "eng", "ger", "zh-Hant-TW", "de-CH-1901"])
def test_language_tags_that_pass(tag: str) -> None:
    assert language_problem("language", tag) is None


@pytest.mark.parametrize("tag", ["english", "en_US", "e", "zz", "zz-US", "en-", "x-private", "EN US"])
def test_language_tags_that_fail(tag: str) -> None:
    assert language_problem("language", tag) is not None


def test_the_category_table_is_apples() -> None:
    assert len(APPLE_CATEGORIES) == 19
    assert sum(len(s) for s in APPLE_CATEGORIES.values()) == 91  # 110 categories in all, as Apple counts them
    assert [c for c, s in APPLE_CATEGORIES.items() if not s] == ["Government", "History", "Technology", "True Crime"]


@pytest.mark.parametrize(
    ("host", "placeholder"),
    [
        ("example.org", True),
        ("podcast.example.com", True),
        ("EXAMPLE.NET.", True),
        ("station.test", True),
        ("feed.invalid", True),
        ("my.example", True),
        ("example.org.uk", False),
        ("notexample.org", False),
        ("npr.org", False),
    ],
)
def test_placeholder_domains(host: str, placeholder: bool) -> None:
    assert is_placeholder(host) is placeholder


@pytest.mark.parametrize(
    ("host", "where"),
    [
        ("localhost", "localhost"),
        ("media.localhost", "localhost"),
        ("127.0.0.1", "a loopback address"),
        ("2130706433", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("169.254.1.1", "a link-local address"),
        ("npr.org", ""),
        ("93.184.215.14", ""),
    ],
)
def test_local_hosts(host: str, where: str) -> None:
    assert local_host(host) == where


def test_an_empty_link_is_not_a_placeholder_of_its_own() -> None:
    # The link falls back to base_url: one warning for the one address to set.
    assert len(placeholder_warnings(ShowSettings(link=""))) == 2
    assert len(placeholder_warnings(ShowSettings(link="https://www.example.com/"))) == 3
