"""Input guards at the edge, in one place: nothing a client sends reaches the database or the
JSON decoder in a shape that can only fail there (a 500).

- ``int`` in URL rules is bounded to the range of an INTEGER column (out of range: 404);
- integer form fields use :class:`BoundedIntegerField` or :func:`bounded_int` (400);
- text in the path, the query or a form may not hold control characters (NUL included:
  PostgreSQL refuses it in text) nor lone surrogates (no encoding can store them);
- JSON bodies are capped in size and nesting depth before they are parsed, and a JSON body
  sent to a form is read as flat form data (text, numbers, true/false, lists of those) under
  the same text rule. JSON views check the text they keep themselves, item by item (one odd
  QR code in a sync batch is that item's problem, not the batch's).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, abort, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.routing import ValidationError as RoutingValidationError
from wtforms import IntegerField
from wtforms.validators import ValidationError

# INTEGER on PostgreSQL (and what every id and count column holds); SQLite's are wider.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_JSON_BYTES = 256 * 1024  # a sync batch of 200 scans is about 60 KB
MAX_JSON_DEPTH = 20
SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# C0 controls and DEL; tab, newline and carriage return are allowed in form and JSON text.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` whose values fit an INTEGER column: anything larger is no page (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        """Refuse before int(): Python will not read more than 4,300 digits (a ValueError)."""
        if len(value) > 12:
            raise RoutingValidationError()
        return super().to_python(value)


def bounded_int(value: Any) -> int:
    """``int(value)`` that refuses what no INTEGER column holds (a ValueError, as int() raises)."""
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError("number out of range")
    return number


class BoundedIntegerField(IntegerField):
    """An IntegerField that refuses numbers no INTEGER column holds, with a message."""

    def pre_validate(self, form: Any) -> None:
        """Out of range is a field error, before any validator or service sees the number."""
        value: Any = self.data
        if value is not None and not INT_MIN <= value <= INT_MAX:
            raise ValidationError(f"Enter a number between {INT_MIN} and {INT_MAX}.")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped), linearly."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def bad_text(value: str, pattern: re.Pattern[str] = CONTROL_IN_TEXT) -> bool:
    """Text a person could not have typed and a database may refuse to store."""
    return bool(pattern.search(value)) or bool(LONE_SURROGATE.search(value))


class GuardedRequest(Request):
    """Every JSON view parses through here: size, depth and text are checked before use."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Like Flask's, but refuses oversized (413) and deeply nested (400) JSON even when
        ``silent``: those are refusals, not "no JSON"."""
        if cache and self._cached_json[silent] is not Ellipsis:
            return self._cached_json[silent]
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        if (self.content_length or 0) > MAX_JSON_BYTES:
            raise RequestEntityTooLarge(f"Send at most {MAX_JSON_BYTES // 1024} KB of JSON.")
        data = self.get_data(cache=cache)
        if len(data) > MAX_JSON_BYTES:
            raise RequestEntityTooLarge(f"Send at most {MAX_JSON_BYTES // 1024} KB of JSON.")
        if json_depth(data) > MAX_JSON_DEPTH:
            raise BadRequest(f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep.")
        return super().get_json(force=force, silent=silent, cache=cache)


def json_formdata(data: Any) -> ImmutableMultiDict[str, str]:
    """A JSON object as form data: what WTForms fields can read, or a 400 with a message."""
    if data is None:
        return ImmutableMultiDict()
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object.")
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                pairs.append((key, "y" if item else "false"))
            elif isinstance(item, str):
                if bad_text(item) or bad_text(key, CONTROL):
                    raise BadRequest("Text may not contain control characters such as NUL.")
                pairs.append((key, item))
            elif isinstance(item, int | float):
                pairs.append((key, str(item)))
            elif item is not None:
                raise BadRequest(f"{key} must be text, a number or true/false.")
    return ImmutableMultiDict(pairs)


_flask_wtf_formdata = FlaskForm.Meta.wrap_formdata


def _wrap_formdata(meta: Any, form: Any, formdata: Any) -> Any:
    # Flask-WTF passes a JSON body to the fields as it is: a list body, or an object as a
    # value, fails inside WTForms (a 500). Every form reads JSON through json_formdata.
    if formdata is _Auto and request.is_json and request.method in SUBMIT_METHODS:
        return json_formdata(request.get_json())
    return _flask_wtf_formdata(meta, form, formdata)


def _refuse_control_characters() -> None:
    """Path (404), query and form (400): no control characters, whatever the view."""
    if CONTROL.search(request.path):
        abort(404)
    for key, value in request.args.items(multi=True):
        if bad_text(key, CONTROL) or bad_text(value, CONTROL):
            abort(400, "The address may not contain control characters.")
    if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
        for key, value in request.form.items(multi=True):
            if bad_text(key, CONTROL) or bad_text(value):
                abort(400, "Text may not contain control characters such as NUL.")


def register_input_guards(app: Flask) -> None:
    """Install the guards; call before any blueprint adds its URL rules."""
    app.request_class = GuardedRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_refuse_control_characters)
    FlaskForm.Meta.wrap_formdata = _wrap_formdata
