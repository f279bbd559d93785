"""Checked reading of a JSON object: each value tested against what it must be, and a failure
named by file and field ("output/x/episode.json: field 'audio.duration_ms' must be ...")."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from broadcast.errors import OutputError

T = TypeVar("T")


class JsonFields:
    """One JSON object and where it is: the file, and the field path inside it."""

    def __init__(self, data: Any, path: str, prefix: str) -> None:
        self.path, self.prefix = path, prefix
        if not isinstance(data, dict):
            raise OutputError(f"{path}: {f'field {prefix!r}' if prefix else 'the file'} must be a JSON object")
        self.data: dict[str, Any] = data

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def fail(self, name: str, what: str, value: Any = None) -> OutputError:
        shown = "missing" if value is None else f"not {_short(value)}"
        return OutputError(f"{self.path}: field {name!r} must be {what}, {shown}")

    def get(self, key: str, check: Any, what: str, default: Any = None, required: bool = False) -> Any:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(self.name(key), what)
            return default
        if not check(value):
            raise self.fail(self.name(key), what, value)
        return value

    def text(self, key: str, required: bool = False) -> str:
        if required:
            return self.get(key, is_text, "non-empty text", required=True)
        return self.get(key, lambda v: isinstance(v, str), "text", "")

    def file_name(self, key: str, default: str = "") -> str:
        # A plain name inside the episode folder: the feed must never point outside it.
        return self.get(key, is_file_name, "a file name inside the episode folder", default)

    def integer(self, key: str, what: str, low: int, high: int | None = None, required: bool = False) -> int:
        def ok(v: Any) -> bool:
            return is_int(v) and v >= low and (high is None or v <= high)

        return self.get(key, ok, what, 0, required)

    def number(self, key: str, finite: bool = True) -> float:
        if finite:
            return self.get(key, is_finite, "a finite number", required=True)
        return self.get(key, is_number, "a number", required=True)

    def obj(self, key: str) -> JsonFields | None:
        value = self.data.get(key)
        return None if value is None else JsonFields(value, self.path, self.name(key))

    def each(self, key: str, what: str) -> list[tuple[str, Any]]:
        """The elements of the list under key, each with its field name ("cues[2]")."""
        values = self.get(key, lambda v: isinstance(v, list), f"a list of {what}", [])
        return [(f"{self.name(key)}[{n}]", v) for n, v in enumerate(values)]

    def objects(self, key: str, what: str, read: Callable[[JsonFields], T]) -> tuple[T, ...]:
        return tuple(read(JsonFields(v, self.path, name)) for name, v in self.each(key, what))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def is_number(v: Any) -> bool:
    return is_int(v) or isinstance(v, float)


def is_finite(v: Any) -> bool:
    return is_number(v) and math.isfinite(v)


def is_file_name(v: Any) -> bool:
    return isinstance(v, str) and not ("/" in v or "\\" in v or v.startswith("."))


def is_datetime(v: Any) -> bool:
    try:
        datetime.fromisoformat(v)
    except (TypeError, ValueError):
        return False
    return True
