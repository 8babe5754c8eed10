"""The member register: apply with evidence, approve once, fees, leaving, AGM eligibility."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lgcamp.accounts.models import Person
from lgcamp.errors import Conflict, DomainError
from lgcamp.extensions import db
from lgcamp.participation import membership as co_op
from lgcamp.participation import service
from lgcamp.participation.models import FeeStatus, MembershipStatus, MembershipType
from tests.factories import make_attendance, make_event, make_person

pytestmark = pytest.mark.usefixtures("app")

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _type(name: str = "Practitioner", is_open: bool = True) -> MembershipType:
    return co_op.save_membership_type(db.session, co_op.TypeDetails(name, is_open=is_open))


def _member(person: Person, kind: MembershipType, when: datetime = NOW) -> int:
    membership = co_op.apply_for_membership(db.session, person, kind.id, "", when)
    co_op.approve_membership(db.session, make_person(is_admin=True), membership.id, when)
    db.session.commit()
    return membership.id


def test_application_carries_the_participation_evidence() -> None:
    person = make_person()
    make_attendance(
        make_event("LocalGovCamp 2026", starts_at=datetime(2026, 6, 1, tzinfo=UTC)), person
    )
    membership = co_op.apply_for_membership(db.session, person, _type().id, " Keen ", NOW)
    snapshot = co_op.evidence_snapshot(membership)
    assert snapshot["statement"].startswith("Part of the network since 2026")
    assert snapshot["years"]["2026"][0]["event"] == "LocalGovCamp 2026"
    assert snapshot["years"]["2026"][0]["did"] == ["attended"]
    assert membership.statement == "Keen"


def test_one_live_application_and_closed_types_are_refused() -> None:
    person = make_person()
    kind = _type()
    co_op.apply_for_membership(db.session, person, kind.id, "", NOW)
    with pytest.raises(Conflict, match="applied already"):
        co_op.apply_for_membership(db.session, person, kind.id, "", NOW)
    with pytest.raises(DomainError, match="open"):
        co_op.apply_for_membership(db.session, make_person(), _type("Closed", False).id, "", NOW)


def test_numbers_are_sequential_and_approving_twice_is_refused() -> None:
    kind = _type()
    first, second = make_person("First"), make_person("Second")
    first_id, second_id = _member(first, kind), _member(second, kind)
    admin = make_person(is_admin=True)
    assert co_op.get_membership(db.session, first_id).number == 1
    assert co_op.get_membership(db.session, second_id).number == 2
    with pytest.raises(service.AlreadyDecided, match="number 1"):
        co_op.approve_membership(db.session, admin, first_id, NOW)
    with pytest.raises(service.NotFound):
        co_op.approve_membership(db.session, admin, 9999, NOW)
    rejected = co_op.apply_for_membership(db.session, make_person(), kind.id, "", NOW)
    co_op.reject_application(db.session, admin, rejected.id, NOW, "Not yet")
    with pytest.raises(service.AlreadyDecided, match="not accepted"):
        co_op.approve_membership(db.session, admin, rejected.id, NOW)
    assert service.get_settings(db.session).next_membership_number == 3


def test_agm_list_is_members_in_good_standing_on_the_date() -> None:
    kind = _type()
    admin = make_person(is_admin=True)
    paid, waived, due, left, late = (
        make_person(n) for n in ("Paid", "Waived", "Due", "Left", "Late")
    )
    joined = datetime(2026, 1, 10, tzinfo=UTC)
    ids = {p.name: _member(p, kind, joined) for p in (paid, waived, due, left)}
    ids["Late"] = _member(late, kind, datetime(2026, 9, 1, tzinfo=UTC))
    for name, fee in (
        ("Paid", FeeStatus.PAID),
        ("Waived", FeeStatus.WAIVED),
        ("Left", FeeStatus.PAID),
        ("Late", FeeStatus.PAID),
    ):
        co_op.record_fee(db.session, admin, ids[name], fee, NOW)
    co_op.end_membership(
        db.session, co_op.get_membership(db.session, ids["Left"]), date(2026, 6, 30)
    )
    db.session.commit()

    def names(on: date) -> list[str]:
        return [m.person.name for m in co_op.agm_eligible(db.session, on, NOW.date())]

    assert names(date(2026, 6, 1)) == ["Paid", "Waived", "Left"]
    assert names(date(2026, 10, 1)) == ["Paid", "Waived", "Late"]
    assert names(date(2025, 12, 1)) == []
    with pytest.raises(service.FutureDate, match="future"):
        co_op.agm_eligible(db.session, date(2026, 11, 2), NOW.date())


def test_leaving_and_withdrawing() -> None:
    kind = _type()
    member, applicant = make_person(), make_person()
    _member(member, kind)
    co_op.apply_for_membership(db.session, applicant, kind.id, "", NOW)
    left = co_op.leave_membership(db.session, member, NOW)
    assert (left.status, left.ends_on) == (MembershipStatus.LEFT, NOW.date())
    withdrawn = co_op.leave_membership(db.session, applicant, NOW)
    assert withdrawn.status is MembershipStatus.LEFT and withdrawn.ends_on is None
    with pytest.raises(Conflict):
        co_op.leave_membership(db.session, member, NOW)
    with pytest.raises(Conflict, match="ended"):
        co_op.record_fee(db.session, make_person(is_admin=True), left.id, FeeStatus.PAID, NOW)


def test_share_link_versions_and_revocation() -> None:
    person = make_person()
    share = service.save_share(db.session, person, service.ShareChoices())
    token = service.share_token("k", share)
    assert service.verify_link(db.session, "k", token, NOW).person.id == person.id
    with pytest.raises(service.LinkNotValid):
        service.verify_link(db.session, "other-key", token, NOW)
    service.new_share_link(db.session, person)
    with pytest.raises(service.LinkWithdrawn):
        service.verify_link(db.session, "k", token, NOW)
    newer = service.share_token("k", share)
    service.revoke_share(db.session, person)
    with pytest.raises(service.LinkWithdrawn):
        service.verify_link(db.session, "k", newer, NOW)
    # Saving the choices of a withdrawn link does not bring it back.
    service.save_share(db.session, person, service.ShareChoices(name=False))
    with pytest.raises(service.LinkWithdrawn):
        service.verify_link(db.session, "k", newer, NOW)
