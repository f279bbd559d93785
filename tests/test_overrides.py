"""--title, --author, --date and --source-name win over what the page says."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import SEED, run_cli

from broadcast.errors import UsageError
from broadcast.input.overrides import Overrides, apply_overrides, parse_date
from broadcast.model import Article

ARTICLE = Article(headline="Page headline", body=("A body paragraph.",), site="Page Station", authors=("Pat Page",))


def test_script_shows_every_override() -> None:
    proc = run_cli(
        "script", SEED, "--title", "Putin and Kim to meet", "--author", "Ann Lee", "--author", "Bo Diaz",
        "--date", "2023-09-12T08:00-04:00", "--source-name", "Test Radio",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    head = proc.stdout.splitlines()[:4]
    assert head == [
        "TITLE:   Putin and Kim to meet",
        "SOURCE:  Test Radio",
        "DATE:    2023-09-12 08:00 UTC-04:00",
        "AUTHORS: Ann Lee, Bo Diaz",
    ]
    intro = " ".join(proc.stdout.split("[01] INTRO (host)")[1].split("[02]")[0].split())
    assert intro == "Putin and Kim to meet. From Test Radio, with reporting by Ann Lee and Bo Diaz, here is the story."


def test_no_overrides_keeps_the_page() -> None:
    assert apply_overrides(ARTICLE, Overrides()) is ARTICLE


def test_each_override_replaces_only_its_field() -> None:
    got = apply_overrides(ARTICLE, Overrides(authors=("  Ann   Lee ",)))
    assert got.authors == ("Ann Lee",)
    assert (got.headline, got.site, got.body) == (ARTICLE.headline, ARTICLE.site, ARTICLE.body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01", datetime(2024, 5, 1)),
        ("2024-05-01 14:30", datetime(2024, 5, 1, 14, 30)),
        ("2024-05-01T14:30-04:00", datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=-4)))),
        ("1900-01-01", datetime(1900, 1, 1)),
        ("2100-12-31", datetime(2100, 12, 31)),
    ],
)
def test_dates_accepted(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--date", "2023-13-45", "is not a date"),
        ("--date", "yesterday", "is not a date"),
        ("--date", "0001-01-01", "outside 1900-2100"),
        ("--date", "9999-12-31", "outside 1900-2100"),
        ("--title", "   ", "must not be empty"),
        ("--author", "", "must not be empty"),
        ("--source-name", "x" * 301, "longer than 300"),
        ("--title", "bell\x07", "control characters"),
    ],
)
def test_bad_values_are_one_line_usage_errors(option: str, value: str, says: str) -> None:
    proc = run_cli("script", SEED, option, value)
    assert proc.returncode == UsageError.exit_code
    assert proc.stderr.count("\n") == 1 and option in proc.stderr and says in proc.stderr, proc.stderr
    assert proc.stdout == ""


def test_a_bad_value_is_refused_before_the_article_is_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The article does not exist: the usage error still comes first, so nothing is fetched for nothing.
    proc = run_cli("script", tmp_path / "missing.txt", "--date", "someday")
    assert proc.returncode == UsageError.exit_code, proc.stderr
