"""Malformed web addresses from pages and settings are "not an address", never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from broadcast.input.identity import page_url
from broadcast.input.web_url import is_web_url

MALFORMED = ["http://[::1", "https://example.com:99999/news/bridge", "http://host:abc/x", "http://[oops/story"]


@pytest.mark.parametrize("url", MALFORMED + ["javascript:alert(1)", "ftp://host/x", "", "http:///path"])
def test_malformed_or_foreign_urls_are_not_web_urls(url: str) -> None:
    assert not is_web_url(url)
    assert page_url(url) == ""


@pytest.mark.parametrize("url", ["https://wxyz.org/news/a", "HTTP://Host.example:8080/a?b=1", "http://[::1]:80/x"])
def test_web_urls(url: str) -> None:
    assert is_web_url(url)


@pytest.mark.parametrize("canonical", MALFORMED)
def test_a_page_with_a_malformed_canonical_link_builds(tmp_path: Path, fake_voices: Path, canonical: str) -> None:
    page = tmp_path / "story.html"
    body = "".join(
        f"<p>The council met on day {n} to argue about the bridge, and residents waited for a vote.</p>"
        for n in range(1, 6)
    )
    page.write_text(
        f'<html><head><title>Bridge</title><link rel="canonical" href="{canonical}"></head>'
        f"<body><article><h1>Council argues over the bridge</h1>{body}</article></body></html>",
        encoding="utf-8",
    )
    cfg = tmp_path / "show.toml"
    cfg.write_text('[show]\nbase_url = "http://localhost:8000/"\nowner_email = "producer@localhost"\n')
    out = tmp_path / "out"
    proc = run_cli("build", page, "--voices", fake_voices, "--config", cfg, "--output", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    feed = run_cli("feed", "--output", out, "--config", cfg)
    assert feed.returncode == 0, feed.stderr
    assert canonical.replace("&", "&amp;") not in (out / "feed.xml").read_text(encoding="utf-8")  # never linked


@pytest.mark.parametrize("key", ["base_url", "link"])
def test_a_malformed_show_address_is_a_config_error(tmp_path: Path, key: str) -> None:
    cfg = tmp_path / "show.toml"
    cfg.write_text(f'[show]\n{key} = "http://[::1"\n')
    (tmp_path / "out").mkdir()
    for command in (["feed"], ["feed", "--check"]):
        proc = run_cli(*command, "--output", tmp_path / "out", "--config", cfg)
        assert proc.returncode in (5, 8), proc.stderr
        assert "internal error" not in proc.stderr
        assert f"show {key}" in proc.stdout + proc.stderr
