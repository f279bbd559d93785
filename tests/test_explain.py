"""`broadcast script --explain`: every line of the page, the role it was given and why."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import FIXTURES, ROOT, run_cli

ARTICLES = FIXTURES / "articles"
ROW = re.compile(r"^(?P<mark>[+-]) +(?P<number>\d+) (?P<role>\w+) +\| (?P<text>.*?)  \((?P<reason>.+)\)$")


def rows(stdout: str) -> dict[int, re.Match[str]]:
    found = [ROW.match(line) for line in stdout.splitlines()[1:-1]]
    assert all(found), stdout
    return {int(m["number"]): m for m in found if m}


def test_every_line_is_shown_with_its_role_and_reason() -> None:
    page = ARTICLES / "outage-captions-teasers.txt"
    done = run_cli("script", "--explain", page)
    assert done.returncode == 0, done.stderr
    shown = rows(done.stdout)
    numbered = [n for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
    assert sorted(shown) == numbered  # no line is left out, blank lines are
    assert (shown[8]["mark"], shown[8]["role"]) == ("+", "headline")
    assert shown[8]["text"] == "Library opens a new branch in the old mill"
    assert (shown[6]["mark"], shown[6]["role"]) == ("-", "banner")
    assert {shown[13]["role"], shown[14]["role"]} == {"caption"}
    assert (shown[22]["role"], shown[22]["text"]) == ("body", "Yes.")  # a one-line paragraph is kept
    assert shown[26]["role"] == "teaser"
    assert all(m["reason"] for m in shown.values())
    assert done.stdout.splitlines()[-1] == "kept 8 of 20 lines; 5 body paragraphs"


def test_long_lines_are_cut_to_sixty_characters() -> None:
    done = run_cli("script", "--explain", ARTICLES / "outage-captions-teasers.txt")
    assert max(len(m["text"]) for m in rows(done.stdout).values()) == 60


def test_a_listing_page_is_explained_and_says_it_would_be_refused() -> None:
    done = run_cli("script", "--explain", ARTICLES / "listing-page.txt")
    assert done.returncode == 0, done.stderr
    assert all(m["mark"] == "-" for m in rows(done.stdout).values())
    assert done.stdout.splitlines()[-1].endswith(
        "(looks like a list of stories, not an article): the page would be refused"
    )


def test_explain_reads_standard_input() -> None:
    text = (ARTICLES / "wire-ap.txt").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "script", "--explain", "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<stdin>: every line")
    assert any(m["role"] == "body" for m in rows(done.stdout).values())


def test_html_pages_are_not_explained_line_by_line() -> None:
    done = run_cli("script", "--explain", FIXTURES / "html" / "jsonld-news.html")
    assert done.returncode == 2
    assert "--explain shows the line roles of a plain-text page; this is HTML" in done.stderr
    assert done.stdout == ""
