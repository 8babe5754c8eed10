"""Booking questions (organisers): add, edit and delete; the list is on the tickets page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db
from lgcamp.permissions import load_managed_event
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets.answers import QuestionDetails
from lgcamp.tickets.blueprint import bp
from lgcamp.tickets.forms import QuestionForm
from lgcamp.tickets.models import QuestionKind
from lgcamp.transaction import commit


def question_details(form: QuestionForm) -> QuestionDetails:
    """What the question form holds, for the service."""
    return QuestionDetails(
        label=form.label.data or "", hint=form.hint.data or "", kind=QuestionKind(form.kind.data),
        choices=form.choices.data or "", is_required=bool(form.is_required.data),
        visibility=form.visibility.data or "", is_sensitive=bool(form.is_sensitive.data),
    )  # fmt: skip


@bp.route("/events/<slug>/tickets/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(slug: str, question_id: int) -> str | Response | tuple[str, int]:
    """Change a question's wording, choices, who sees the answers, or whether it is required."""
    event = load_managed_event(slug)
    try:
        question = answer_service.event_question(db.session, event, question_id)
    except DomainError:
        abort(404)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.kind.data = question.kind.value
    if form.validate_on_submit():
        try:
            answer_service.update_question(db.session, question, question_details(form))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash(f"The question “{question.label}” has been saved.", "success")
            return redirect(url_for("tickets.manage_tickets", slug=slug, _anchor="questions"))
    page = render_template(
        "tickets/question_form.html", event=event, form=form, question=question,
        answered=answer_service.answer_count(db.session, question),
    )  # fmt: skip
    return (page, 400) if form.errors or form.form_errors else page


@bp.route("/events/<slug>/tickets/questions", methods=["POST"])
def add_question(slug: str) -> Response:
    """Add a question to the booking form."""
    event = load_managed_event(slug)
    form = QuestionForm()
    if not form.validate_on_submit():
        raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
    answer_service.add_question(db.session, event, question_details(form))
    commit()
    flash("The question has been added to the booking form.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/questions/<int:question_id>/delete", methods=["POST"])
def delete_question(slug: str, question_id: int) -> Response:
    """Remove a question and its answers."""
    event = load_managed_event(slug)
    answer_service.delete_question(db.session, event, question_id)
    commit()
    flash("The question and its answers have been deleted.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))
