"""Participation pages: the network record and its verification link, membership, the member
register and AGM list, reports, merging accounts, and a person's data download and deletion."""

from __future__ import annotations

import json
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash

from lgcamp.database import utcnow
from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db
from lgcamp.participation import people, reports, service
from lgcamp.participation.evidence import person_record
from lgcamp.participation.export import to_csv
from lgcamp.participation.forms import (
    AgmForm,
    ApplicationForm,
    DecisionForm,
    DeleteAccountForm,
    EndMembershipForm,
    FeeForm,
    MembershipTypeForm,
    MergeForm,
    RegisterFilterForm,
    ShareForm,
    StatusRuleForm,
)
from lgcamp.participation.models import (
    FeeStatus,
    Membership,
    MembershipStatus,
    MembershipType,
    RecordShare,
)
from lgcamp.permissions import (
    authorize,
    can_manage_members,
    can_merge_accounts,
    can_see_event_report,
    can_see_network_reports,
    can_see_reports,
    is_admin,
    load_event_for,
    signin_required,
)
from lgcamp.tickets.qr import qr_data_uri
from lgcamp.transaction import commit

bp = Blueprint("participation", __name__)


def _now() -> datetime:
    return utcnow()


def _csv(filename: str, header: list[str], rows: list[list[object]]) -> Response:
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- my network record ------------------------------------------------------------------------


def _share_data(share: RecordShare | None) -> dict[str, bool]:
    if share is None:
        defaults = service.ShareChoices()
        return {
            "show_name": defaults.name,
            "show_organisation": defaults.organisation,
            "show_years": defaults.years,
            "show_events": defaults.events,
        }
    return {
        "show_name": share.show_name,
        "show_organisation": share.show_organisation,
        "show_years": share.show_years,
        "show_events": share.show_events,
    }


def _link(share: RecordShare | None) -> str | None:
    if share is None or share.is_revoked:
        return None
    token = service.share_token(current_app.config["SECRET_KEY"], share)
    return url_for("participation.verify", token=token, _external=True)


@bp.route("/network/record")
@signin_required
def record() -> str:
    """The person's participation by year, their status and why, and their link."""
    share = service.share_of(db.session, current_user)
    link = _link(share)
    return render_template(
        "participation/record.html",
        record=person_record(db.session, current_user, _now()),
        share=share,
        link=link,
        qr=qr_data_uri(link) if link else None,
        form=ShareForm(data=_share_data(share)),
    )


@bp.route("/network/record/print")
@signin_required
def print_record() -> str:
    """A printable page of the record, with the verification link and its QR code."""
    link = _link(service.share_of(db.session, current_user))
    return render_template(
        "participation/print.html",
        record=person_record(db.session, current_user, _now()),
        link=link,
        qr=qr_data_uri(link) if link else None,
        today=_now(),
    )


@bp.route("/network/record/share", methods=["POST"])
@signin_required
def save_share() -> Response:
    """Choose what the verification link shows (and make the link if there is none)."""
    form = ShareForm()
    choices = service.ShareChoices(
        bool(form.show_name.data),
        bool(form.show_organisation.data),
        bool(form.show_years.data),
        bool(form.show_events.data),
    )
    service.save_share(db.session, current_user, choices)
    commit()
    flash("Saved what your verification link shows.", "success")
    return redirect(url_for("participation.record") + "#share")


@bp.route("/network/record/share/new", methods=["POST"])
@signin_required
def new_link() -> Response:
    """Make a new link; links given out before stop working."""
    service.new_share_link(db.session, current_user)
    commit()
    flash("You have a new verification link. Links you shared before no longer work.", "success")
    return redirect(url_for("participation.record") + "#share")


@bp.route("/network/record/share/revoke", methods=["POST"])
@signin_required
def revoke_link() -> Response:
    """Withdraw the link."""
    service.revoke_share(db.session, current_user)
    commit()
    flash("Your verification link is withdrawn: nobody can open it now.", "success")
    return redirect(url_for("participation.record") + "#share")


@bp.route("/verify/<token>")
def verify(token: str) -> tuple[str, int] | str:
    """Anyone can check a shared statement is genuine (only what its owner chose to show)."""
    try:
        verified = service.verify_link(db.session, current_app.config["SECRET_KEY"], token, _now())
    except DomainError as error:
        problem = render_template("participation/verify_problem.html", message=error.message)
        return problem, error.status_code
    return render_template("participation/verify.html", v=verified, checked_at=_now())


@bp.route("/network/record/download")
@signin_required
def download() -> Response:
    """All the data lgcamp holds about the person, as a JSON file."""
    data = people.export_data(db.session, current_user, _now())
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="lgcamp-my-data.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@signin_required
def delete_account() -> Response | tuple[str, int]:
    """Delete your account: your identity goes; anonymous counts stay."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if check_password_hash(current_user.password_hash, form.password.data or ""):
            people.delete_account(db.session, current_user, _now())
            commit()
            logout_user()
            flash("Your account is deleted. Thank you for taking part.", "success")
            return redirect(url_for("events.index"))
        form.password.errors = ["Enter your current password"]
    status = 400 if form.errors else 200
    return render_template("participation/delete_account.html", form=form), status


# --- membership -------------------------------------------------------------------------------


def _membership_page(form: ApplicationForm, status: int = 200) -> tuple[str, int]:
    types = service.membership_types(db.session, open_only=True)
    form.set_types([(t.id, t.name) for t in types])
    page = render_template(
        "participation/membership.html",
        form=form,
        types=types,
        live=service.live_membership(db.session, current_user),
        history=service.memberships_of(db.session, current_user),
        record=person_record(db.session, current_user, _now()),
    )
    return page, status


@bp.route("/network/membership")
@signin_required
def membership() -> tuple[str, int]:
    """The person's membership, or the application form with their evidence."""
    return _membership_page(ApplicationForm())


@bp.route("/network/membership", methods=["POST"])
@signin_required
def apply() -> Response | tuple[str, int]:
    """Apply to join the co-op."""
    form = ApplicationForm()
    form.set_types([(t.id, t.name) for t in service.membership_types(db.session, True)])
    if form.validate_on_submit():
        try:
            service.apply_for_membership(
                db.session,
                current_user,
                form.membership_type_id.data,
                form.statement.data or "",
                _now(),
            )
            commit()
            flash("Your application is sent, with your participation record.", "success")
            return redirect(url_for("participation.membership"))
        except DomainError as error:
            show_on_form(form, error)
    return _membership_page(form, 400)


@bp.route("/network/membership/leave", methods=["POST"])
@signin_required
def leave() -> Response:
    """Leave the co-op, or withdraw an application."""
    service.leave_membership(db.session, current_user, _now())
    commit()
    flash("Your membership or application has ended.", "success")
    return redirect(url_for("participation.membership"))


# --- admin: status rule, register, AGM list, types, merge -------------------------------------


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
    status = MembershipStatus(form.status.data) if form.validate() and form.status.data else None
    return render_template(
        "participation/register.html",
        form=form,
        members=service.register(db.session, status),
    )


@bp.route("/admin/members.csv")
def register_csv() -> Response:
    """The member register as CSV."""
    authorize(can_manage_members(current_user))
    members = service.register(db.session)
    return _csv("member-register.csv", REGISTER_HEADER, [_register_row(m) for m in members])


REGISTER_HEADER = [
    "Number",
    "Name",
    "Email",
    "Organisation",
    "Type",
    "Status",
    "Applied",
    "Joined",
    "Left",
    "Fee",
]


def _register_row(m: Membership) -> list[object]:
    return [
        m.number or "",
        m.person.name,
        m.person.email,
        m.person.organisation,
        m.membership_type.name,
        m.status.label,
        m.applied_at.date().isoformat(),
        m.starts_on.isoformat() if m.starts_on else "",
        m.ends_on.isoformat() if m.ends_on else "",
        m.fee_status.label,
    ]


@bp.route("/admin/members/<int:membership_id>")
def member(membership_id: int) -> str:
    """One application or membership, with the evidence attached when they applied."""
    authorize(can_manage_members(current_user))
    found = service.get_membership(db.session, membership_id)
    return render_template(
        "participation/member.html",
        m=found,
        snapshot=service.evidence_snapshot(found),
        record=person_record(db.session, found.person, _now()),
        fee_form=FeeForm(fee_status=found.fee_status.value),
        decision_form=DecisionForm(),
        end_form=EndMembershipForm(ends_on=_now().date()),
    )


def _back_to_member(membership_id: int) -> Response:
    return redirect(url_for("participation.member", membership_id=membership_id))


@bp.route("/admin/members/<int:membership_id>/approve", methods=["POST"])
def approve(membership_id: int) -> Response:
    """Approve an application: a membership number is assigned."""
    authorize(can_manage_members(current_user))
    approved = service.approve_membership(db.session, current_user, membership_id, _now())
    commit()
    flash(f"{approved.person.name} is member number {approved.number}.", "success")
    return _back_to_member(membership_id)


@bp.route("/admin/members/<int:membership_id>/reject", methods=["POST"])
def reject(membership_id: int) -> Response:
    """Turn an application down."""
    authorize(can_manage_members(current_user))
    form = DecisionForm()
    form.validate()
    service.reject_application(
        db.session, current_user, membership_id, _now(), (form.note.data or "")[:500]
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
    service.record_fee(db.session, current_user, membership_id, status, _now())
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
    found = service.get_membership(db.session, membership_id)
    service.end_membership(db.session, found, form.ends_on.data, "Ended by an admin.")
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
                members = service.agm_eligible(db.session, form.on.data, _now().date())
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
        members = service.agm_eligible(db.session, form.on.data, _now().date())
    except DomainError as error:
        show_on_form(form, error)
        return render_template("participation/agm.html", form=form, members=None), 400
    rows = [
        [
            m.number,
            m.person.name,
            m.person.organisation,
            m.membership_type.name,
            m.starts_on.isoformat() if m.starts_on else "",
            m.fee_status.label,
        ]
        for m in members
    ]
    header = ["Number", "Name", "Organisation", "Type", "Joined", "Fee"]
    return _csv(f"agm-eligible-{form.on.data.isoformat()}.csv", header, rows)


@bp.route("/admin/membership-types", methods=["GET", "POST"])
def membership_types() -> Response | tuple[str, int]:
    """Membership types: list and add."""
    authorize(can_manage_members(current_user))
    form = MembershipTypeForm()
    if form.validate_on_submit():
        try:
            service.save_membership_type(db.session, _type_details(form))
            commit()
            flash(f"Added the membership type {form.name.data}.", "success")
            return redirect(url_for("participation.membership_types"))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    types = service.membership_types(db.session)
    return render_template("participation/types.html", form=form, types=types), status


def _type_details(form: MembershipTypeForm) -> service.TypeDetails:
    return service.TypeDetails(
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
            service.save_membership_type(db.session, _type_details(form), found)
            commit()
            flash(f"Saved the membership type {found.name}.", "success")
            return redirect(url_for("participation.membership_types"))
        except DomainError as error:
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("participation/type_edit.html", form=form, t=found), status


@bp.route("/admin/merge", methods=["GET", "POST"])
def merge() -> Response | tuple[str, int]:
    """Merge a duplicate account into the one to keep; see the log of merges."""
    authorize(can_merge_accounts(current_user))
    form = MergeForm()
    if form.validate_on_submit():
        try:
            kept = people.find_account(db.session, form.keep_email.data or "", "keep_email")
            merged = people.find_account(db.session, form.merge_email.data or "", "merge_email")
            people.merge_people(db.session, current_user, kept, merged, _now())
            commit()
            flash(f"Merged {form.merge_email.data} into {form.keep_email.data}.", "success")
            return redirect(url_for("participation.merge"))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
    status = 400 if form.errors or form.form_errors else 200
    page = render_template("participation/merge.html", form=form, log=people.merge_log(db.session))
    return page, status


# --- reports ----------------------------------------------------------------------------------


def _event_reports() -> list[reports.EventReport]:
    manager = None if is_admin(current_user) else current_user
    events = reports.reportable_events(db.session, _now(), manager)
    return reports.event_reports(db.session, events, _now())


@bp.route("/reports")
def reports_index() -> str:
    """Per-event figures for the events the person organises (admins: all), with a chart."""
    authorize(can_see_reports(current_user))
    rows = _event_reports()
    return render_template(
        "participation/reports.html",
        rows=rows,
        cells=reports.event_rows(rows),
        columns=reports.EVENT_COLUMNS,
        peak=max([r.booked for r in rows] + [r.attended for r in rows] + [0]),
        bar_step=reports.bar_step,
    )


@bp.route("/reports/events.csv")
def reports_csv() -> Response:
    """The per-event table as CSV."""
    authorize(can_see_reports(current_user))
    header = [label for label, _key in reports.EVENT_COLUMNS]
    return _csv("participation-by-event.csv", header, reports.event_rows(_event_reports()))


@bp.route("/reports/events/<slug>")
def event_report(slug: str) -> str:
    """One event's figures and the sessions held, for its organisers and admins."""
    event = load_event_for(slug, can_see_event_report)
    rows = reports.event_reports(db.session, [event], _now())
    return render_template(
        "participation/event_report.html",
        event=event,
        r=rows[0],
        cells=reports.event_rows(rows),
        columns=reports.EVENT_COLUMNS,
        sessions=reports.sessions_held(db.session, event, _now()),
        bar_step=reports.bar_step,
    )


@bp.route("/reports/events/<slug>/figures.csv")
def event_report_csv(slug: str) -> Response:
    """One event's figures as CSV."""
    event = load_event_for(slug, can_see_event_report)
    rows = reports.event_reports(db.session, [event], _now())
    header = [label for label, _key in reports.EVENT_COLUMNS]
    return _csv(f"{event.slug}-figures.csv", header, reports.event_rows(rows))


@bp.route("/reports/events/<slug>/sessions.csv")
def event_sessions_csv(slug: str) -> Response:
    """The sessions held at an event, with their hosts, as CSV."""
    event = load_event_for(slug, can_see_event_report)
    rows = [list(row) for row in reports.sessions_held(db.session, event, _now())]
    return _csv(f"{event.slug}-sessions.csv", ["Session", "Hosts"], rows)


@bp.route("/reports/years")
def years_report() -> str:
    """Network figures across years, for admins."""
    authorize(can_see_network_reports(current_user))
    rows = reports.year_reports(db.session, _now())
    return render_template(
        "participation/years.html",
        rows=rows,
        cells=reports.year_rows(rows),
        columns=reports.YEAR_COLUMNS,
        peak=max([r.participants for r in rows] + [0]),
        bar_step=reports.bar_step,
    )


@bp.route("/reports/years.csv")
def years_csv() -> Response:
    """The per-year table as CSV."""
    authorize(can_see_network_reports(current_user))
    header = [label for label, _key in reports.YEAR_COLUMNS]
    return _csv(
        "participation-by-year.csv",
        header,
        reports.year_rows(reports.year_reports(db.session, _now())),
    )
