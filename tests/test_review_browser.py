"""The seed's review.html in a real headless Chromium, driven by Selenium, loaded from file://.

The browser is the system's (Debian's chromium and chromium-driver, which `make test` installs through
tools/ensure-browser); Selenium is pointed at both, so Selenium Manager never tries to download one.
Where they are truly missing the module is skipped with the reason, which `-ra` prints in the summary.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SEED, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    _REASON = (
        "NO BROWSER: the review page tests need chromium and chromedriver on PATH "
        "(run tools/ensure-browser, or apt-get install chromium chromium-driver)"
    )
    print(f"\n*** {_REASON} ***", file=sys.__stderr__)
    pytest.skip(_REASON, allow_module_level=True)

from selenium import webdriver  # noqa: E402  (after the check above: no browser, no Selenium session)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

from broadcast.model import SentenceTiming  # noqa: E402
from broadcast.publish.record import EpisodeRecord  # noqa: E402
from broadcast.publish.review import render_review  # noqa: E402

pytestmark = pytest.mark.e2e  # one real build of the seed (espeak-ng, ffmpeg)
HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> & "quotes"'


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    proc = run_cli("build", SEED, "--output", out, "--quiet")  # the repository's show.toml and voices
    assert proc.returncode == 0, proc.stderr
    (built,) = [p for p in out.iterdir() if p.is_dir()]
    return built


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # the tests may run as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def _severe(driver: WebDriver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _load(driver: WebDriver, page: Path) -> None:
    _severe(driver)  # drain what an earlier page logged
    driver.get(page.as_uri())
    # The MP3's duration is known: the player has read the file beside the page.
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.getElementById('audio').readyState") >= 1
    )


@pytest.fixture
def page(driver: WebDriver, folder: Path) -> Iterator[WebDriver]:
    _load(driver, folder / "review.html")
    yield driver
    assert _severe(driver) == []  # nothing any test did made the page log an error


def _now(driver: WebDriver) -> float:
    return driver.execute_script("return document.getElementById('audio').currentTime")


def _sentences(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, ".s[data-start]")


def _current(driver: WebDriver) -> list[str]:
    return [el.get_attribute("id") for el in driver.find_elements(By.CSS_SELECTOR, ".s.current")]


def test_page_loads_from_file_with_its_audio_and_no_console_errors(page: WebDriver, folder: Path) -> None:
    assert page.current_url.startswith("file://")
    record = json.loads((folder / "episode.json").read_text())
    duration = page.execute_script("return document.getElementById('audio').duration")
    assert abs(duration * 1000 - record["audio"]["duration_ms"]) < 100
    assert page.find_element(By.TAG_NAME, "h1").text == record["title"]
    assert page.execute_script("return document.documentElement.lang") == "en"
    assert len(_sentences(page)) >= 15
    assert _severe(page) == []


def test_clicking_a_sentence_seeks_there_and_highlights_it(page: WebDriver) -> None:
    for n in (4, 12):
        sentence = _sentences(page)[n]
        sentence.click()
        assert abs(_now(page) * 1000 - int(sentence.get_attribute("data-start"))) <= 50
        assert _current(page) == [sentence.get_attribute("id")]
        assert sentence.get_attribute("aria-current") == "true"


def test_the_highlight_follows_current_time(page: WebDriver) -> None:
    sentences = _sentences(page)
    first_start = int(sentences[0].get_attribute("data-start"))
    page.execute_script("document.getElementById('audio').currentTime = arguments[0]", first_start / 2000)
    WebDriverWait(page, 5).until(lambda d: _current(d) == [])  # the sting before the first word
    for n in (2, 11, len(sentences) - 1, 6):
        el = sentences[n]
        middle = (int(el.get_attribute("data-start")) + int(el.get_attribute("data-end"))) / 2000
        page.execute_script("document.getElementById('audio').currentTime = arguments[0]", middle)
        WebDriverWait(page, 5).until(lambda d, el=el: _current(d) == [el.get_attribute("id")])


def test_spoken_form_toggle_shows_the_changes(page: WebDriver) -> None:
    toggle = page.find_element(By.ID, "spoken-toggle")
    main = page.find_element(By.TAG_NAME, "main")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert "{2019 → twenty nineteen}" not in main.text and "Putin in 2019, also in Vladivostok." in main.text
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert "{2019 → twenty nineteen}" in main.text
    toggle.send_keys(Keys.SPACE)  # a real button: the keyboard works it too
    assert toggle.get_attribute("aria-pressed") == "false"
    assert "{2019 → twenty nineteen}" not in main.text


def test_chapters_are_listed_and_seek(page: WebDriver, folder: Path) -> None:
    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    buttons = page.find_elements(By.CSS_SELECTOR, "nav ol.chapters button")
    assert [b.text.split(" ", 1)[1] for b in buttons] == [c["title"] for c in chapters]
    buttons[-1].click()
    assert abs(_now(page) - chapters[-1]["startTime"]) <= 0.05


def test_keyboard_tab_reaches_sentences_with_a_visible_focus_and_enter_or_space_seeks(page: WebDriver) -> None:
    sentences = _sentences(page)
    page.execute_script("arguments[0].focus()", sentences[7])
    ActionChains(page).send_keys(Keys.TAB).perform()
    focused = page.switch_to.active_element
    assert focused.get_attribute("id") == sentences[8].get_attribute("id")
    assert page.execute_script("return getComputedStyle(arguments[0]).outlineStyle", focused) == "solid"
    ActionChains(page).send_keys(Keys.ENTER).perform()
    assert abs(_now(page) * 1000 - int(sentences[8].get_attribute("data-start"))) <= 50
    ActionChains(page).send_keys(Keys.TAB, Keys.SPACE).perform()
    assert abs(_now(page) * 1000 - int(sentences[9].get_attribute("data-start"))) <= 50
    assert page.execute_script("return window.scrollY") > 0  # Space seeked; it did not scroll the page instead
    assert _current(page) == [sentences[9].get_attribute("id")]


def test_screenshot_of_the_rendered_page(page: WebDriver, tmp_path: Path) -> None:
    shot = tmp_path / "review.png"
    assert page.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 40_000  # text, the player and the figures, not a blank page


@pytest.mark.parametrize("width", [640, 320])  # 200% zoom of a 1280 px window; 400% (WCAG reflow)
def test_zoomed_page_wraps_without_horizontal_scrolling(page: WebDriver, folder: Path, width: int) -> None:
    metrics = {"width": width, "height": 900, "deviceScaleFactor": 2, "mobile": False}
    page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        _load(page, folder / "review.html")
        assert page.execute_script("return window.innerWidth") == width
        widths = page.execute_script("const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
        assert widths[0] <= widths[1], widths
        audio = page.find_element(By.ID, "audio")
        assert audio.rect["x"] + audio.rect["width"] <= width  # the player fits too
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_headline_with_markup_is_shown_as_text_and_runs_nothing(driver: WebDriver, folder: Path) -> None:
    record = EpisodeRecord.read(folder / "episode.json")
    cues = record.cues
    timings = [SentenceTiming(c.index, c.role, c.text, c.start_ms, c.end_ms) for c in cues]
    hostile = folder / "review-hostile.html"
    hostile.write_text(render_review(replace(record, title=HOSTILE), timings, [c.text for c in cues]))
    _load(driver, hostile)
    assert driver.find_element(By.TAG_NAME, "h1").text == HOSTILE
    assert driver.execute_script("return window.pwned") is None
    assert _severe(driver) == []
