"""Booking requests for the team: newest requests first, filters, status changes, CSV.

Contact details are masked until a staff member reveals one request's details
(logged in ``console_reveals`` with the conversation's sender id, like a
transcript reveal). Names: the list shows them (the team greets the visitor
by name when confirming), with any phone number or e-mail address in them
masked; the CSV export, which leaves the console, carries initials only, and
each export is logged. ``flask --app console send-bookings`` mails what the
outbox still holds.
"""
import csv
import datetime as dt
import io
from typing import Any, Dict, List

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from booking import mailer
from booking.summary import when_text
from console import db
from console.auth import login_required
from console.conversations import pseudonym_of
from console.privacy import initials, mask, spreadsheet_safe
from storage import bookings

bp = Blueprint("bookings", __name__, cli_group=None)
LOCATIONS = ("229", "225", "either")
CSV_FIELDS = ["id", "created_at", "status", "requested_time", "people", "location", "massage",
              "name", "contact", "contact_method", "language", "channel", "conversation",
              "status_by", "status_at", "mailed_at"]


def engine() -> Any:
    """The console's engine, with the booking tables created on first use."""
    found = db.engine()
    if not current_app.extensions.get("booking_tables"):
        bookings.ensure_tables(found)
        current_app.extensions["booking_tables"] = True
    return found


FILTERS = ("status", "day", "location")


def _filters(allowed: tuple = FILTERS) -> Dict[str, Any]:
    args = request.args
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        abort(400, f"unknown query argument {unknown[0]!r}: use {', '.join(allowed)}")
    status = args.get("status", "")
    location = args.get("location", "")
    try:
        day = dt.date.fromisoformat(args["day"]) if args.get("day") else None
    except ValueError:
        abort(400, "day must be a date like 2026-11-23")
    if status and status not in bookings.STATUSES:
        abort(400, f"status must be one of {', '.join(bookings.STATUSES)}")
    if location and location not in LOCATIONS:
        abort(400, "location must be 229, 225 or either")
    return {"status": status, "day": day, "location": location}


def _found() -> List[Dict[str, Any]]:
    return bookings.search(engine(), **_filters())


def _page() -> int:
    text = request.args.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        abort(400, "page must be a whole number from 1")
    return int(text)


@bp.route("/bookings")
@login_required
def index(revealed: int | None = None) -> Any:
    """The booking requests, new ones first, a page at a time."""
    filters = _filters(FILTERS + ("page",))
    size = int(current_app.config["PAGE_SIZE"])
    page = _page()
    total = bookings.count(engine(), **filters)
    pages = max(1, -(-total // size))
    found = bookings.search(engine(), **filters, limit=size, offset=(page - 1) * size)
    history = bookings.histories(engine(), [row["id"] for row in found])
    args = {k: v for k, v in request.args.items() if v and k in FILTERS}
    return render_template("bookings.html", requests=found, history=history, args=args,
                           statuses=bookings.STATUSES, locations=LOCATIONS, when_text=when_text,
                           mask=mask, revealed=revealed, pseudonym=pseudonym_of, page=page,
                           pages=pages, total=total)


@bp.route("/bookings/<int:booking_id>/status", methods=["POST"])
@login_required
def change_status(booking_id: int) -> Any:
    """Set a request's status; who and when are recorded."""
    status = request.form.get("status", "")
    if status not in bookings.STATUSES:
        abort(400, f"status must be one of {', '.join(bookings.STATUSES)}")
    if not bookings.set_status(engine(), booking_id, status, g.user):
        abort(404)
    flash(f"Request #{booking_id} is now {status}.")
    _filters(FILTERS + ("page",))
    args: Dict[str, Any] = {k: v for k, v in request.args.items() if v}
    return redirect(url_for(".index", **args))


@bp.route("/bookings/<int:booking_id>/reveal", methods=["POST"])
@login_required
def reveal(booking_id: int) -> Any:
    """Show one request's contact details, and log who looked."""
    row = bookings.get(engine(), booking_id)
    if row is None:
        abort(404)
    with engine().begin() as conn:
        conn.execute(db.reveals.insert().values(sender_id=row["sender_id"], revealed_by=g.user,
                                                revealed_at=db.now()))
    current_app.logger.warning("%s revealed the contact details of booking request #%s (%s)",
                               g.user, booking_id, pseudonym_of(row["sender_id"]))
    return index(revealed=booking_id)


@bp.route("/bookings/export.csv")
@login_required
def export_csv() -> Response:
    """The filtered requests as CSV, contact details masked, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    found = _found()
    current_app.logger.warning("%s exported %s booking requests as CSV", g.user, len(found))
    for row in found:
        writer.writerow([spreadsheet_safe("" if v is None else str(v)) for v in (
            row["id"], row["created_at"], row["status"], row["requested_time"], row["people"],
            row["location"], row["massage"], initials(row["name"]), mask(row["contact"]),
            row["contact_method"], row["language"], row["channel"], pseudonym_of(row["sender_id"]),
            row["status_by"], row["status_at"], row["sent_at"])])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=booking-requests.csv"})


@bp.cli.command("send-bookings")
def send_bookings_command() -> None:
    """E-mail every booking request still waiting in the outbox."""
    waiting = len(bookings.pending(engine()))
    sent = bookings.send_pending(engine(), mailer.mail_request, mailer.mail_alert)
    click.echo(f"sent {sent} of {waiting} waiting booking requests")
    if sent < waiting:
        raise click.ClickException("some requests are still waiting: is SMTP_URL reachable?")
