"""A person's own pages: their network record, its verification link, their membership, and
the download and deletion of their data."""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db
from lgcamp.participation import membership as co_op
from lgcamp.participation import people, service
from lgcamp.participation.blueprint import bp, now
from lgcamp.participation.evidence import person_record
from lgcamp.participation.forms import ApplicationForm, DeleteAccountForm, ShareForm
from lgcamp.participation.models import RecordShare
from lgcamp.permissions import signin_required
from lgcamp.tickets.qr import qr_data_uri
from lgcamp.transaction import commit
from lgcamp.urls import external_url

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
    return external_url("participation.verify", token=token)


@bp.route("/network/record")
@signin_required
def record() -> str:
    """The person's participation by year, their status and why, and their link."""
    share = service.share_of(db.session, current_user)
    link = _link(share)
    return render_template(
        "participation/record.html",
        record=person_record(db.session, current_user, now()),
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
        record=person_record(db.session, current_user, now()),
        link=link,
        qr=qr_data_uri(link) if link else None,
        today=now(),
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
        verified = service.verify_link(db.session, current_app.config["SECRET_KEY"], token, now())
    except DomainError as error:
        problem = render_template("participation/verify_problem.html", message=error.message)
        return problem, error.status_code
    return render_template("participation/verify.html", v=verified, checked_at=now())


@bp.route("/network/record/download")
@signin_required
def download() -> Response:
    """All the data lgcamp holds about the person, as a JSON file."""
    data = people.export_data(db.session, current_user, now())
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
            people.delete_account(db.session, current_user, now())
            commit()
            logout_user()
            flash("Your account is deleted. Thank you for taking part.", "success")
            return redirect(url_for("events.index"))
        form.password.errors = ["Enter your current password"]
    status = 400 if form.errors else 200
    return render_template("participation/delete_account.html", form=form), status


# --- membership -------------------------------------------------------------------------------


def _membership_page(form: ApplicationForm, status: int = 200) -> tuple[str, int]:
    types = co_op.membership_types(db.session, open_only=True)
    form.set_types([(t.id, t.name) for t in types])
    page = render_template(
        "participation/membership.html",
        form=form,
        types=types,
        live=co_op.live_membership(db.session, current_user),
        history=co_op.memberships_of(db.session, current_user),
        record=person_record(db.session, current_user, now()),
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
    form.set_types([(t.id, t.name) for t in co_op.membership_types(db.session, True)])
    if form.validate_on_submit():
        try:
            co_op.apply_for_membership(
                db.session,
                current_user,
                form.membership_type_id.data,
                form.statement.data or "",
                now(),
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
    co_op.leave_membership(db.session, current_user, now())
    commit()
    flash("Your membership or application has ended.", "success")
    return redirect(url_for("participation.membership"))
