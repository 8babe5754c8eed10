"""Shape checks for the door: scanner links, scanner role, walk-ins, and the scanner's JSON.

The JSON forms switch off Flask-WTF's per-form token: CSRFProtect still checks every POST,
and the scanner page sends its token in the X-CSRFToken header.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from lgcamp.checkin.models import ScanMethod
from lgcamp.checkin.scans import HASH_RE, MAX_PAYLOAD, SCAN_ID_RE, ScanInput, UnreadableScan
from lgcamp.errors import DomainError
from lgcamp.inputs import INT_MAX, BoundedIntegerField, bounded_int

MAX_BATCH = 200
MAX_DEVICE_LABEL = 60  # scan_log.device_label and check_in.door_label
MIN_YEAR, MAX_YEAR = 2000, 2100  # a phone's clock outside these is not a clock
# At most links.MAX_LINK_LIFETIME (a week); the form refuses any other value.
EXPIRY_CHOICES = [
    SelectChoice("12", "12 hours"),
    SelectChoice("24", "1 day"),
    SelectChoice("72", "3 days"),
    SelectChoice("168", "1 week"),
]


class ScannerLinkForm(FlaskForm):
    """A new scanner link for one door."""

    label = StringField(
        "Door or volunteer label",
        description='Shown on every scan from this link, for example "Door 1" or "Side entrance".',
        validators=[
            DataRequired("Enter a label, for example Door 1"),
            Length(max=60, message="Label must be 60 characters or fewer"),
        ],
    )
    expires_in = SelectField("Link works for", choices=EXPIRY_CHOICES, default="24")


class ScannerRoleForm(FlaskForm):
    """Give an account holder the scanner role."""

    email = EmailField(
        "Email address of their account",
        validators=[
            DataRequired("Enter the email address of their account"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


class WalkInForm(FlaskForm):
    """Register someone at the door (as a page form or as JSON from the scanner)."""

    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter their full name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter their email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    organisation = StringField(
        "Organisation (optional)",
        validators=[Optional(), Length(max=160, message="Organisation must be 160 characters")],
    )
    ticket_type_id = SelectField("Ticket type", coerce=bounded_int, validate_choice=True)
    scan_id = StringField(validators=[Optional(), Length(max=64)])


class CheckInForm(FlaskForm):
    """Check in a booking found by search (the page without JavaScript)."""

    booking_id = BoundedIntegerField(validators=[DataRequired(), NumberRange(min=1)])
    scan_id = StringField(validators=[DataRequired(), Length(min=8, max=64)])


class ApiWalkInForm(WalkInForm):
    """The scanner's walk-in request (JSON)."""

    class Meta:
        csrf = False


def form_errors(form: FlaskForm) -> dict[str, list[str]]:
    """A form's field errors for a JSON answer."""
    return {name: list(errors) for name, errors in form.errors.items()}


def _time(value: Any) -> datetime | None:
    """An aware ISO 8601 time from the phone, or None when missing or unreadable.

    Years outside 2000-2100 are unreadable too: the clock arithmetic of the timing rule
    (``scans.effective_time``) must never leave the range Python's datetime holds.
    """
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    return parsed


def _scan_id(value: Any) -> str:
    if not isinstance(value, str) or not SCAN_ID_RE.fullmatch(value):
        raise DomainError("scan_id must be 8-64 letters, digits or -_.:", field="scan_id")
    return value


def _device_id(value: Any) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[\w.:-]{1,64}", value) else None


def json_object(data: Any) -> dict[str, Any]:
    """The request body must be a JSON object."""
    if not isinstance(data, dict):
        raise DomainError("Send a JSON object.")
    return data


def json_text_fields(data: dict[str, Any], names: tuple[str, ...]) -> None:
    """These members, when present, must be text: a 400 naming the first that is not."""
    for name in names:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise DomainError(f"{name} must be text.", field=name)


def _method(value: Any) -> ScanMethod:
    if not isinstance(value, str) or value not in {ScanMethod.QR.value, ScanMethod.SEARCH.value}:
        raise DomainError("method must be qr or search.", field="method")
    return ScanMethod(value)


def parse_scan(item: dict[str, Any], sent_at: datetime | None, device_id: str | None) -> ScanInput:
    """One scan from the phone: a QR payload, a token hash (offline queue) or a booking id."""
    scan_id = _scan_id(item.get("scan_id"))
    method = _method(item.get("method", "qr"))
    payload, token_hash, booking_id = item.get("payload"), item.get("token_hash"), None
    if item.get("booking_id") is not None:
        booking_id = item["booking_id"]
        if (
            not isinstance(booking_id, int)
            or isinstance(booking_id, bool)
            or not 1 <= booking_id <= INT_MAX
        ):
            raise DomainError(
                f"booking_id must be a whole number from 1 to {INT_MAX}.", field="booking_id"
            )
        payload = token_hash = None
    elif token_hash is not None:
        if not isinstance(token_hash, str) or not HASH_RE.match(token_hash):
            raise DomainError("token_hash must be 64 lower-case hex digits.", field="token_hash")
        payload = None
    elif isinstance(payload, str):
        payload = payload[: MAX_PAYLOAD + 1]  # anything longer is refused as not a ticket
    else:
        payload = ""  # nothing scanned: logged as "not a ticket"
    return ScanInput(
        scan_id=scan_id,
        method=method,
        payload=payload,
        token_hash=token_hash,
        booking_id=booking_id,
        device_time=_time(item.get("device_time")),
        device_sent_at=sent_at,
        device_id=device_id,
    )


def parse_single_scan(data: Any) -> ScanInput:
    """A live scan."""
    body = json_object(data)
    return parse_scan(body, _time(body.get("sent_at")), _device_id(body.get("device_id")))


def _unreadable(
    item: Any, error: DomainError, sent_at: datetime | None, device_id: str | None
) -> UnreadableScan:
    """What can be read of an item that is not a scan (to answer it, and log it if possible)."""
    if not isinstance(item, dict):
        return UnreadableScan(sent_id="", error=error.message)
    raw_id = item.get("scan_id")
    try:
        scan_id: str | None = _scan_id(raw_id)
    except DomainError:
        scan_id = None
    try:
        method = _method(item.get("method", "qr"))
    except DomainError:
        method = ScanMethod.QR
    return UnreadableScan(
        sent_id=str(raw_id)[:64] if raw_id is not None else "",
        error=error.message,
        scan_id=scan_id,
        method=method,
        device_time=_time(item.get("device_time")),
        device_sent_at=sent_at,
        device_id=device_id,
    )


def parse_sync_batch(data: Any) -> tuple[list[ScanInput | UnreadableScan], str | None]:
    """A batch of queued scans: parsed scans, or what could be read of unreadable items."""
    body = json_object(data)
    items = body.get("scans")
    if not isinstance(items, list):
        raise DomainError("scans must be a list.", field="scans")
    if len(items) > MAX_BATCH:
        raise DomainError(f"Send at most {MAX_BATCH} scans per batch.", field="scans")
    sent_at, device_id = _time(body.get("sent_at")), _device_id(body.get("device_id"))
    parsed: list[ScanInput | UnreadableScan] = []
    for item in items:
        try:
            parsed.append(parse_scan(json_object(item), sent_at, device_id))
        except DomainError as error:
            parsed.append(_unreadable(item, error, sent_at, device_id))
    return parsed, device_id


def device_label(data: Any) -> str | None:
    """The label a signed-in scanner gives its phone ("Door 2"); links use their own label.

    Absent or blank: None (the person's name is used). Refused rather than cut short, so that
    the log never shows a door name other than the one typed.
    """
    value = data.get("device_label") if isinstance(data, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value.isprintable():
        raise DomainError(
            "device_label must be text without control characters.", field="device_label"
        )
    label = value.strip()
    if len(label) > MAX_DEVICE_LABEL:
        raise DomainError(
            f"device_label must be {MAX_DEVICE_LABEL} characters or fewer.", field="device_label"
        )
    return label or None
