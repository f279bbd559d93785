from __future__ import annotations

import json

import pytest

from broadcast.model import Chapter, SentenceTiming
from broadcast.publish.timed_text import captions, render_chapters_json, render_srt, render_vtt
from broadcast.script.sentences import caption_pieces, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("U.S. officials met. They agreed.", ("U.S. officials met.", "They agreed.")),
        ('He said it "is moving." Then left.', ('He said it "is moving."', "Then left.")),
        (
            "Dr. Smith met Sen. Jones on Sept. 11. They talked.",
            ("Dr. Smith met Sen. Jones on Sept. 11.", "They talked."),
        ),
        ("John F. Kennedy spoke. Crowds cheered!", ("John F. Kennedy spoke.", "Crowds cheered!")),
        ("It cost $1.5 million. Really? Yes.", ("It cost $1.5 million.", "Really?", "Yes.")),
        ("No terminal punctuation", ("No terminal punctuation",)),
        (
            "Sens. Warren and Sanders met Supt. Ruiz on Pennsylvania Ave. Tuesday. Atty. Gen. Lee spoke.",
            ("Sens. Warren and Sanders met Supt. Ruiz on Pennsylvania Ave. Tuesday.", "Atty. Gen. Lee spoke."),
        ),
    ],
)
def test_split_sentences(text: str, sentences: tuple[str, ...]) -> None:
    assert split_sentences(text) == sentences


def test_caption_pieces_are_short_and_lose_nothing() -> None:
    long = (
        "The possible gathering of the two leaders comes amid claims that the president is eager, "
        "officials said, to secure additional arms for a grinding war — perhaps in exchange for food aid."
    )
    pieces = caption_pieces(long)
    assert len(pieces) > 1
    assert all(len(p) <= 84 for p in pieces)
    assert " ".join(pieces) == long


SENTENCES = (
    SentenceTiming(0, "host", "Tom & Jerry <live> --> now.", 0, 2000),
    SentenceTiming(1, "reporter", "Second sentence.", 2500, 4000),
)


def test_vtt_has_voices_escaping_and_times() -> None:
    vtt = render_vtt(captions(SENTENCES))
    assert vtt == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:02.000\n<v Host>Tom &amp; Jerry &lt;live&gt; -&gt; now.\n\n"
        "2\n00:00:02.500 --> 00:00:04.000\n<v Reporter>Second sentence.\n"
    )


def test_srt_numbering_and_comma_times() -> None:
    srt = render_srt(captions(SENTENCES))
    assert srt.startswith("1\n00:00:00,000 --> 00:00:02,000\nTom & Jerry <live> -> now.\n\n2\n00:00:02,500")


def test_long_sentence_time_is_shared_without_gaps() -> None:
    text = "word " * 40
    caps = captions((SentenceTiming(0, "reporter", text.strip(), 1000, 11000),))
    assert len(caps) > 1
    assert caps[0].start_ms == 1000 and caps[-1].end_ms == 11000
    assert all(a.end_ms == b.start_ms for a, b in zip(caps, caps[1:]))


def test_chapters_json_is_version_1_2_ascending() -> None:
    doc = json.loads(render_chapters_json([Chapter("B", 5000, 9000), Chapter("A", 0, 5000)]))
    assert doc["version"] == "1.2"
    assert [c["startTime"] for c in doc["chapters"]] == [0.0, 5.0]
    assert doc["chapters"][0]["title"] == "A"
