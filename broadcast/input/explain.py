"""Why each line of a plain-text page was kept or dropped: `broadcast script --explain` (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from broadcast.input.roles import Judged, Role, describe_bodyless

# What the article keeps; every other role is dropped from the script.
KEPT = frozenset({Role.HEADLINE, Role.BYLINE, Role.DATE, Role.BODY, Role.ATTRIBUTION})
_SHOWN = 60  # characters of each line: enough to recognize it
_ROLE_WIDTH = max(len(r.value) for r in Role)


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1].rstrip() + "…"


def render_explanation(judged: Sequence[Judged], name: str) -> str:
    """One line per non-blank input line: its number, role, opening and the strongest reason;
    then what the page comes to."""
    width = len(str(max((j.line.number for j in judged), default=1)))
    out = [f"{name}: every line, its role and why (kept: {', '.join(r.value for r in Role if r in KEPT)})"]
    for j in judged:
        mark = "+" if j.role in KEPT else "-"
        out.append(
            f"{mark} {j.line.number:>{width}} {j.role.value:<{_ROLE_WIDTH}} | {_short(j.line.text)}  ({j.reason})"
        )
    body = sum(j.role == Role.BODY for j in judged)
    if body:
        out.append(f"kept {sum(j.role in KEPT for j in judged)} of {len(judged)} lines; {body} body paragraphs")
    else:
        out.append(f"no article body found ({describe_bodyless(judged)}): the page would be refused")
    return "\n".join(out) + "\n"
