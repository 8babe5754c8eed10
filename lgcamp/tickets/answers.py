"""Booking questions: the answers people give, who may see them, and their deletion.

Organisation and role are kept on the booking, answers to organisers' questions as `Answer`
rows; sensitive ones are deleted after the event, leaving anonymous `AnswerTotal` counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event
from lgcamp.tickets.models import (
    Answer,
    AnswerTotal,
    Booking,
    BookingStatus,
    Question,
    QuestionKind,
    TicketSettings,
)

MAX_ANSWER = 500
MAX_ORGANISATION = 160
MAX_ROLE = 120
YES_NO = ("yes", "no")


class InvalidAnswer(DomainError):
    """An answer is missing, too long, or not one of the choices."""


@dataclass
class BookingAnswers:
    """What a person enters when booking: organisation, role and answers by question id."""

    organisation: str = ""
    job_role: str = ""
    values: dict[int, str] = field(default_factory=dict)


def field_name(question: Question) -> str:
    """The form field that holds the answer to a question."""
    return f"q_{question.id}"


def questions_for(session: Session, event: Event) -> list[Question]:
    """The event's questions in the order they are asked."""
    return list(
        session.scalars(
            select(Question)
            .where(Question.event_id == event.id)
            .order_by(Question.sort_order, Question.id)
        )
    )


def validate_answers(questions: Sequence[Question], answers: BookingAnswers) -> None:
    """Check every answer against its question; raise InvalidAnswer on the first problem."""
    if len(answers.organisation.strip()) > MAX_ORGANISATION:
        raise InvalidAnswer(
            f"Organisation must be {MAX_ORGANISATION} characters or fewer", field="organisation"
        )
    if len(answers.job_role.strip()) > MAX_ROLE:
        raise InvalidAnswer(f"Role must be {MAX_ROLE} characters or fewer", field="job_role")
    for question in questions:
        value = answers.values.get(question.id, "").strip()
        name = field_name(question)
        if not value:
            if question.is_required:
                raise InvalidAnswer(f"Answer the question: {question.label}", field=name)
            continue
        if len(value) > MAX_ANSWER:
            raise InvalidAnswer(
                f"Your answer to '{question.label}' must be {MAX_ANSWER} characters or fewer",
                field=name,
            )
        if question.kind == QuestionKind.CHOICE and value not in question.options:
            raise InvalidAnswer(f"Choose one of the options for: {question.label}", field=name)
        if question.kind == QuestionKind.YES_NO and value not in YES_NO:
            raise InvalidAnswer(f"Answer yes or no: {question.label}", field=name)


def save_answers(
    session: Session, booking: Booking, questions: list[Question], answers: BookingAnswers
) -> None:
    """Store the answers on a booking (validated already)."""
    organisation, job_role = answers.organisation.strip(), answers.job_role.strip()
    if (booking.organisation, booking.job_role) != (organisation, job_role):
        booking.organisation, booking.job_role = organisation, job_role
    for question in questions:
        value = answers.values.get(question.id, "").strip()
        if value:
            session.add(Answer(booking_id=booking.id, question_id=question.id, value=value))


def answers_by_booking(session: Session, booking_ids: list[int]) -> dict[int, dict[int, str]]:
    """Answers for these bookings: booking id -> question id -> answer."""
    result: dict[int, dict[int, str]] = {}
    if not booking_ids:
        return result
    rows = session.execute(
        select(Answer.booking_id, Answer.question_id, Answer.value).where(
            Answer.booking_id.in_(booking_ids)
        )
    )
    for booking_id, question_id, value in rows:
        result.setdefault(booking_id, {})[question_id] = value
    return result


@dataclass(frozen=True)
class QuestionDetails:
    """What an organiser enters for a question."""

    label: str
    hint: str
    kind: QuestionKind
    choices: str
    is_required: bool
    visibility: str
    is_sensitive: bool


def _options(details: QuestionDetails) -> list[str]:
    options = [line.strip() for line in details.choices.splitlines() if line.strip()]
    if details.kind == QuestionKind.CHOICE and len(options) < 2:
        raise DomainError("Give at least two choices, one per line", field="choices")
    return options


def add_question(session: Session, event: Event, details: QuestionDetails) -> Question:
    """Add a question to the event's booking form."""
    options = _options(details)
    last = session.scalar(
        select(func.max(Question.sort_order)).where(Question.event_id == event.id)
    )
    question = Question(
        event_id=event.id,
        label=details.label.strip(),
        hint=details.hint.strip(),
        kind=details.kind,
        choices="\n".join(options) if details.kind == QuestionKind.CHOICE else "",
        is_required=details.is_required,
        visibility=details.visibility,
        is_sensitive=details.is_sensitive,
        sort_order=(last or 0) + 1,
    )
    session.add(question)
    session.flush()
    return question


def event_question(session: Session, event: Event, question_id: int) -> Question:
    """The event's question with this id (DomainError for another event's or none)."""
    question = session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        raise DomainError("That question is not part of this event.")
    return question


def update_question(session: Session, question: Question, details: QuestionDetails) -> Question:
    """Change a question's wording, choices or settings; answers already given stay valid.

    Its kind cannot change once someone has answered, nor can a choice someone picked be
    removed (their answer would no longer be one of the options).
    """
    options = _options(details)
    given = Counter(session.scalars(select(Answer.value).where(Answer.question_id == question.id)))
    if details.kind != question.kind and given:
        raise Conflict(
            f"{sum(given.values())} people have answered this question, so its kind of answer "
            "cannot change. Add a new question instead.",
            field="kind",
        )
    if details.kind == QuestionKind.CHOICE:
        dropped = [(value, n) for value, n in given.items() if value not in options]
        if dropped:
            value, n = dropped[0]
            raise Conflict(
                f"{n} {'person' if n == 1 else 'people'} chose “{value}”: keep that choice "
                "(you can add others and change the rest).",
                field="choices",
            )
    question.label, question.hint = details.label.strip(), details.hint.strip()
    question.kind = details.kind
    question.choices = "\n".join(options) if details.kind == QuestionKind.CHOICE else ""
    question.is_required, question.visibility = details.is_required, details.visibility
    question.is_sensitive = details.is_sensitive
    session.flush()
    return question


def answer_count(session: Session, question: Question) -> int:
    """How many bookings have answered the question (its answers not yet deleted)."""
    count = session.scalar(select(func.count(Answer.id)).where(Answer.question_id == question.id))
    return count or 0


def delete_question(session: Session, event: Event, question_id: int) -> None:
    """Remove a question and its answers."""
    question = session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        raise DomainError("That question is not part of this event.")
    session.delete(question)
    session.flush()


@dataclass
class QuestionReport:
    """One question's totals and (until deleted) each attendee's answer."""

    question: Question
    totals: list[tuple[str, int]]
    answers: Sequence[tuple[Person, str]]


def answer_reports(session: Session, questions: list[Question]) -> list[QuestionReport]:
    """Totals and answers of confirmed attendees, for the questions the viewer may see."""
    reports = []
    for question in questions:
        if question.purged_at is not None:
            rows = session.execute(
                select(AnswerTotal.value, AnswerTotal.count)
                .where(AnswerTotal.question_id == question.id)
                .order_by(AnswerTotal.count.desc(), AnswerTotal.value)
            )
            reports.append(QuestionReport(question, [(v, c) for v, c in rows], []))
            continue
        answered = list(
            session.execute(
                select(Person, Answer.value)
                .join(Booking, Booking.person_id == Person.id)
                .join(Answer, Answer.booking_id == Booking.id)
                .where(
                    Answer.question_id == question.id,
                    Booking.status == BookingStatus.CONFIRMED,
                )
                .order_by(Person.name)
            )
        )
        totals = Counter(_total_key(question, value) for _person, value in answered)
        reports.append(QuestionReport(question, totals.most_common(), answered))
    return reports


def _total_key(question: Question, value: str) -> str:
    # Free text is counted as answered, never kept: it may name a condition or a person.
    return value if question.kind != QuestionKind.TEXT else "(answered)"


def purge_due_answers(session: Session, now: datetime | None = None) -> int:
    """Delete sensitive answers past their retention, keeping anonymous totals; return count."""
    now = now or utcnow()
    candidates = session.execute(
        select(Question, Event.ends_at, TicketSettings.answer_retention_days)
        .join(Event, Event.id == Question.event_id)
        .outerjoin(TicketSettings, TicketSettings.event_id == Event.id)
        .where(Question.is_sensitive.is_(True), Question.purged_at.is_(None), Event.ends_at < now)
    )
    purged = 0
    for question, ends_at, retention in list(candidates):
        days = retention if retention is not None else TicketSettings.DEFAULT_RETENTION_DAYS
        if ends_at + timedelta(days=days) > now:
            continue
        # Claim the question first: a concurrent tick that loses the claim does nothing.
        claimed = session.execute(
            update(Question)
            .where(Question.id == question.id, Question.purged_at.is_(None))
            .values(purged_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", claimed).rowcount != 1:
            continue
        values = session.scalars(select(Answer.value).where(Answer.question_id == question.id))
        for value, count in Counter(_total_key(question, v) for v in values).items():
            session.add(AnswerTotal(question_id=question.id, value=value[:200], count=count))
        session.execute(delete(Answer).where(Answer.question_id == question.id))
        purged += 1
    session.flush()
    return purged
