"""Admins' pages: the status rule, the member register and its decisions, the AGM list,
membership types, and merging duplicate accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db
from lgcamp.pagination import page_number
from lgcamp.participation import membership as co_op
from lgcamp.participation import service
from lgcamp.participation.blueprint import bp, csv_response, now
from lgcamp.participation.evidence import person_record
from lgcamp.participation.export import agm_table, register_table
from lgcamp.participation.forms import (
    AgmForm,
    DecisionForm,
    EndMembershipForm,
    FeeForm,
    MembershipTypeForm,
    MergeForm,
    RegisterFilterForm,
    StatusRuleForm,
)
from lgcamp.participation.merge import find_account, merge_log, merge_people, preview_merge
from lgcamp.participation.models import FeeStatus, MembershipStatus, MembershipType
from lgcamp.permissions import authorize, can_manage_members, can_merge_accounts
from lgcamp.transaction import commit


@bp.route("/admin/network/status-rule", methods=["GET", "POST"])
def status_rule() -> Response | tuple[str, int]:
    """Admins set how recent evidence must be to be part of the network."""
    authorize(can_manage_members(current_user))
    settings = service.get_settings(db.session)
    form = StatusRuleForm(window_months=settings.window_months)
    if form.validate_on_submit():
        service.set_status_rule(db.session, current_user, form.window_months.data or 0)
        commit()
        flash(
            f"Saved: part of the network = took part within {form.window_months.data} months.",
            "success",
        )
        return redirect(url_for("participation.status_rule"))
    status = 400 if form.errors else 200
    return render_template("participation/status_rule.html", form=form, settings=settings), status


@bp.route("/admin/members")
def register() -> str:
    """The co-op's member register."""
    authorize(can_manage_members(current_user))
    form = RegisterFilterForm(request.args)
    valid = form.validate()
    status = MembershipStatus(form.status.data) if valid and form.status.data else None
    search = (form.q.data or "") if valid else ""
    paged = co_op.register_page(db.session, status, search, page_number(request.args))
    return render_template("participation/register.html", form=form, paged=paged)


@bp.route("/admin/members.csv")
def register_csv() -> Response:
    """The member register as CSV."""
    authorize(can_manage_members(current_user))
    members = co_op.register(db.session)
    return csv_response("member-register.csv", *register_table(members))


@bp.route("/admin/members/<int:membership_id>")
def member(membership_id: int) -> str:
    """One application or membership, with the evidence attached when they applied."""
    authorize(can_manage_members(current_user))
    found = co_op.get_membership(db.session, membership_id)
    return render_template(
        "participation/member.html",
        m=found,
        snapshot=co_op.evidence_snapshot(found),
        record=person_record(db.session, found.person, now()),
        fee_form=FeeForm(fee_status=found.fee_status.value),
        decision_form=DecisionForm(),
        end_form=EndMembershipForm(ends_on=now().date()),
    )


def _back_to_member(membership_id: int) -> Response:
    return redirect(url_for("participation.member", membership_id=membership_id))


@bp.route("/admin/members/<int:membership_id>/approve", methods=["POST"])
def approve(membership_id: int) -> Response:
    """Approve an application: a membership number is assigned."""
    authorize(can_manage_members(current_user))
    approved = co_op.approve_membership(db.session, current_user, membership_id, now())
    commit()
    flash(f"{approved.person.name} is member number {approved.number}.", "success")
    return _back_to_member(membership_id)


@bp.route("/admin/members/<int:membership_id>/reject", methods=["POST"])
def reject(membership_id: int) -> Response:
    """Turn an application down."""
    authorize(can_manage_members(current_user))
    form = DecisionForm()
    form.validate()
    co_op.reject_application(
        db.session, current_user, membership_id, now(), (form.note.data or "")[:500]
    )
    commit()
    flash("The application was turned down.", "success")
    return _back_to_member(membership_id)


@bp.route("/admin/members/<int:membership_id>/fee", methods=["POST"])
def record_fee(membership_id: int) -> Response:
    """Record the fee status: paid, waived or due."""
    authorize(can_manage_members(current_user))
    form = FeeForm()
    if not form.validate():
        raise DomainError("Choose paid, waived or due.")
    status = FeeStatus(form.fee_status.data)
    co_op.record_fee(db.session, current_user, membership_id, status, now())
    commit()
    flash(f"Fee recorded as {status.label.lower()}.", "success")
    return _back_to_member(membership_id)


@bp.route("/admin/members/<int:membership_id>/end", methods=["POST"])
def end(membership_id: int) -> Response:
    """Record that a member left on a date."""
    authorize(can_manage_members(current_user))
    form = EndMembershipForm()
    if not form.validate() or form.ends_on.data is None:
        raise DomainError("Enter the date they left, for example 2026-11-01.")
    found = co_op.get_membership(db.session, membership_id)
    co_op.end_membership(db.session, found, form.ends_on.data, "Ended by an admin.")
    commit()
    flash("The membership has ended.", "success")
    return _back_to_member(membership_id)


@bp.route("/admin/agm")
def agm() -> tuple[str, int]:
    """Members in good standing on a date: the AGM eligibility list."""
    authorize(can_manage_members(current_user))
    form = AgmForm(request.args)
    members, status = None, 200
    if "on" in request.args:
        if form.validate() and form.on.data is not None:
            try:
                members = co_op.agm_eligible(db.session, form.on.data, now().date())
            except DomainError as error:
                show_on_form(form, error)
                status = 400
        else:
            status = 400
    return render_template("participation/agm.html", form=form, members=members), status


@bp.route("/admin/agm.csv")
def agm_csv() -> Response | tuple[str, int]:
    """The AGM eligibility list as CSV."""
    authorize(can_manage_members(current_user))
    form = AgmForm(request.args)
    if not form.validate() or form.on.data is None:
        return render_template("participation/agm.html", form=form, members=None), 400
    try:
        members = co_op.agm_eligible(db.session, form.on.data, now().date())
    except DomainError as error:
        show_on_form(form, error)
        return render_template("participation/agm.html", form=form, members=None), 400
    return csv_response(f"agm-eligible-{form.on.data.isoformat()}.csv", *agm_table(members))


@bp.route("/admin/membership-types", methods=["GET", "POST"])
def membership_types() -> Response | tuple[str, int]:
    """Membership types: list and add."""
    authorize(can_manage_members(current_user))
    form = MembershipTypeForm()
    if form.validate_on_submit():
        try:
            co_op.save_membership_type(db.session, _type_details(form))
            commit()
            flash(f"Added the membership type {form.name.data}.", "success")
            return redirect(url_for("participation.membership_types"))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    types = co_op.membership_types(db.session)
    return render_template("participation/types.html", form=form, types=types), status


def _type_details(form: MembershipTypeForm) -> co_op.TypeDetails:
    return co_op.TypeDetails(
        name=form.name.data or "",
        description=form.description.data or "",
        is_open=bool(form.is_open.data),
        sort_order=form.sort_order.data or 0,
    )


@bp.route("/admin/membership-types/<int:type_id>/edit", methods=["GET", "POST"])
def edit_membership_type(type_id: int) -> Response | tuple[str, int]:
    """Change a membership type."""
    authorize(can_manage_members(current_user))
    found = db.session.get(MembershipType, type_id) or abort(404)
    form = MembershipTypeForm(obj=found)
    if form.validate_on_submit():
        try:
            co_op.save_membership_type(db.session, _type_details(form), found)
            commit()
            flash(f"Saved the membership type {found.name}.", "success")
            return redirect(url_for("participation.membership_types"))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("participation/type_edit.html", form=form, t=found), status


@bp.route("/admin/merge", methods=["GET", "POST"])
def merge() -> Response | tuple[str, int]:
    """Merge a duplicate account into the one to keep, after a preview of what will move."""
    authorize(can_merge_accounts(current_user))
    form, preview = MergeForm(), None
    if form.validate_on_submit():
        try:
            kept = find_account(db.session, form.keep_email.data or "", "keep_email")
            merged = find_account(db.session, form.merge_email.data or "", "merge_email")
            if form.confirm.data:
                merge_people(db.session, current_user, kept, merged, now())
                commit()
                flash(f"Merged {form.merge_email.data} into {form.keep_email.data}.", "success")
                return redirect(url_for("participation.merge"))
            preview = preview_merge(db.session, kept, merged)
            if form.step.data == "confirm":
                form.confirm.errors = ["Confirm the two accounts belong to the same person"]
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    page = render_template(
        "participation/merge.html", form=form, preview=preview, log=merge_log(db.session)
    )
    return page, status
