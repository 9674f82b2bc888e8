"""Command-line commands: ``create-staff NAME``, ``set-password NAME``, ``purge --days N``.

``purge`` deletes old conversations with everything kept about them (labels,
list rows, booking requests, the ids of messages sent to them); the record of who
revealed contact details (``console_reveals``) has its own retention,
``--audit-days`` (default ``CONSOLE_AUDIT_RETENTION_DAYS``, else 365).
"""
import datetime as dt
import getpass
import os
import sys

import click
import sqlalchemy as sa
from flask import Flask

from console import db
from console.auth import create_staff, set_password
from storage import bookings

DEFAULT_AUDIT_DAYS = 365


def audit_days_from_env() -> int:
    """Days the reveal log is kept (``CONSOLE_AUDIT_RETENTION_DAYS``, default 365)."""
    value = os.environ.get("CONSOLE_AUDIT_RETENTION_DAYS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_AUDIT_DAYS


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise click.ClickException("the passwords differ")
    return password


@click.command("create-staff")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_staff_command(username: str, password_stdin: bool) -> None:
    """Create a staff account (the password is asked for, and stored hashed)."""
    password = _read_password(password_stdin)
    try:
        create_staff(username, password)
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"created staff account {username}")


@click.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(username: str, password_stdin: bool) -> None:
    """Change a staff password; every session of the account ends."""
    try:
        set_password(username, _read_password(password_stdin))
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"changed the password of {username}; its sessions have ended")


@click.command("purge")
@click.option("--days", type=int, required=True, help="Keep conversations newer than this.")
@click.option("--audit-days", type=int, default=None,
              help="Keep the reveal log this long (default CONSOLE_AUDIT_RETENTION_DAYS or 365).")
def purge_command(days: int, audit_days: int | None) -> None:
    """Delete conversations whose last event is older than N days; the reveal log stays."""
    audit_days = audit_days if audit_days is not None else audit_days_from_env()
    if days < 1 or audit_days < 1:
        raise click.ClickException("--days and --audit-days must be at least 1")
    now = dt.datetime.now(dt.timezone.utc)
    cutoff = (now - dt.timedelta(days=days)).timestamp()
    audit_cutoff = (now - dt.timedelta(days=audit_days)).replace(tzinfo=None)
    with db.engine().begin() as conn:
        last = sa.select(db.events.c.sender_id).group_by(db.events.c.sender_id).having(
            sa.func.max(db.events.c.timestamp) < cutoff)
        old = [row.sender_id for row in conn.execute(last)]
        for table in (db.events, db.labels, db.summaries):
            conn.execute(table.delete().where(table.c.sender_id.in_(old)))
        bookings.ensure_tables(conn)
        bookings.delete_for(conn, old)
        if sa.inspect(conn).has_table("channel_sent_messages"):  # channels/delivery.py
            sent = sa.table("channel_sent_messages", sa.column("sender_id"))
            conn.execute(sent.delete().where(sent.c.sender_id.in_(old)))
        audit = conn.execute(db.reveals.delete().where(db.reveals.c.revealed_at < audit_cutoff))
    click.echo(f"deleted {len(old)} conversations older than {days} days, "
               f"and {audit.rowcount} reveal-log entries older than {audit_days} days")


@click.command("refresh-list")
def refresh_list_command() -> None:
    """Bring the conversation list up to date now (after an upgrade: once, before staff look)."""
    from console import summaries

    click.echo(f"brought {summaries.refresh(db.engine())} conversations up to date")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(create_staff_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(refresh_list_command)
