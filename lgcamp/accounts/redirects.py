"""Where to go after signing in: only a path on this site, never another host (issue 16).

The check is made on the value as a browser would read it in a Location header: browsers drop
tabs and newlines anywhere, trim spaces and control characters at the ends, read a backslash
as a slash, and take ``//host`` (or ``/\\host``) as another host. Anything a browser could
read in more than one way is refused rather than repaired.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000
_DECODE_ROUNDS = 3
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def _as_browser_reads(value: str) -> str:
    """The WHATWG URL parser's clean-up: ends trimmed, tabs and newlines gone, \\ as /."""
    value = value.strip(_C0_AND_SPACE)
    for char in "\t\n\r":
        value = value.replace(char, "")
    return value.replace("\\", "/")


def _is_local_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # such as an unbalanced "[" where a host would be
        return False
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    The value itself must be plain (no control characters, spaces or backslashes); its
    percent-decoded forms (three rounds), read as a browser would, must stay local too, so that
    a page that decodes once more cannot turn ``/%2F%2Fevil.example`` into ``//evil.example``.
    """
    if not target or len(target) > MAX_LENGTH:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target) or "\\" in target:
        return None
    value = target
    for _ in range(_DECODE_ROUNDS + 1):
        if not _is_local_path(_as_browser_reads(value)):
            return None
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return target
