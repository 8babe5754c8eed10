"""Signed verification links: the adapter between itsdangerous and a person's record share.

A link carries only (person id, version); the stored RecordShare decides whether it still
works, so a withdrawn or replaced link stops working though its signature is good.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "lgcamp.participation.record"


class BadLink(Exception):
    """The link was changed, cut short or made up."""


def sign(secret_key: str, person_id: int, version: int) -> str:
    """The token for a person's current verification link."""
    return str(URLSafeSerializer(secret_key, salt=SALT).dumps({"p": person_id, "v": version}))


def read(secret_key: str, token: str) -> tuple[int, int]:
    """(person id, version) from a token; BadLink when the signature or shape is wrong."""
    if len(token) > 200:
        raise BadLink("too long")
    try:
        data = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature as error:
        raise BadLink("bad signature") from error
    if not isinstance(data, dict):
        raise BadLink("bad payload")
    person_id, version = data.get("p"), data.get("v")
    if not isinstance(person_id, int) or not isinstance(version, int):
        raise BadLink("bad payload")
    return person_id, version
