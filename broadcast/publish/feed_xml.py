"""A tiny XML writer for the feed, rather than ElementTree.

It needs no global namespace registration and its output (element order, prefixes, indentation)
is fixed, so the same elements always give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters XML 1.0 forbids (a parser rejects the whole feed for one) and the C1 controls it
# discourages: they only come from mis-decoded text, and feedparser turns them into cp1252 letters.
# Listed, not as the complement of what is allowed: that class takes 7 ms to compile, this one 0.3.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def one_line(text: str) -> str:
    """A title as clients show it: no XML-illegal characters, whitespace runs as one space."""
    return " ".join(ILLEGAL_XML.sub("", text).split())


@dataclass(frozen=True)
class Tag:
    """Attributes and content of one element; its name is given beside it."""

    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[tuple[str, Tag], ...] = ()
    text: str = ""


def escape(text: str, attr: bool = False) -> str:
    text = ILLEGAL_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;")
    # ">" guards "]]>"; a raw CR (and in attributes tab and newline) would be normalised away.
    text = text.replace(">", "&gt;").replace("\r", "&#13;")
    if attr:
        text = text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return text


def _emit(name: str, tag: Tag, depth: int, out: list[str], extra: str = "") -> None:
    pad = "  " * depth
    attrs = extra + "".join(f' {k}="{escape(v, attr=True)}"' for k, v in tag.attrs)
    if tag.children:
        out.append(f"{pad}<{name}{attrs}>")
        for child_name, child in tag.children:
            _emit(child_name, child, depth + 1, out)
        out.append(f"{pad}</{name}>")
    elif tag.text:
        out.append(f"{pad}<{name}{attrs}>{escape(tag.text)}</{name}>")
    else:
        out.append(f"{pad}<{name}{attrs}/>")


def xml_document(name: str, root: Tag, namespaces: tuple[tuple[str, str], ...]) -> bytes:
    """UTF-8 bytes of a document whose root element declares the namespace prefixes."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _emit(name, root, 0, out, extra="".join(f' xmlns:{p}="{uri}"' for p, uri in namespaces))
    return ("\n".join(out) + "\n").encode("utf-8")
