"""Staff log-in, the login_required guard and CSRF protection for every form.

- Log-in is throttled: 5 failures in 15 minutes, per client address or per
  name, refuse further tries for that window. An unknown name costs the same
  password hash as a known one.
- A session lasts 12 hours at most and names its account and the account's
  session version; every request checks both, so removing an account, logging
  out or changing the password ends every session of that account.
"""
import datetime as dt
import functools
import hmac
import secrets
import time
from typing import Any, Callable

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash

from console import db

bp = Blueprint("auth", __name__)

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
SESSION_HOURS = 12
TOO_MANY = "Too many failed log-ins. Try again in 15 minutes."

failures = sa.Table(
    "console_login_failures", db.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False, index=True),
    sa.Column("failed_at", sa.Float, nullable=False, index=True),
)
session_versions = sa.Table(
    "console_session_versions", db.metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)
_dummy_hash: list = []


def dummy_hash() -> str:
    """A hash to check unknown names against, so timing tells nothing."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(16)))
    return str(_dummy_hash[0])


def session_version(conn: sa.engine.Connection, username: str) -> int:
    """The account's current session version (0 until it is first bumped)."""
    found = conn.execute(sa.select(session_versions.c.version).where(
        session_versions.c.username == username)).scalar()
    return int(found or 0)


def end_sessions(username: str) -> None:
    """Invalidate every session of ``username`` (log-out, password change)."""
    with db.engine().begin() as conn:
        version = session_version(conn, username)
        updated = conn.execute(session_versions.update().where(
            session_versions.c.username == username).values(version=version + 1))
        if not updated.rowcount:
            conn.execute(session_versions.insert().values(username=username, version=1))


def set_password(username: str, password: str) -> None:
    """Change a staff password and end the account's sessions; ValueError if not possible."""
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    with db.engine().begin() as conn:
        changed = conn.execute(db.staff.update().where(db.staff.c.username == username).values(
            password_hash=hash_password(password)))
        if not changed.rowcount:
            raise ValueError(f"no staff account {username}")
    end_sessions(username)


def _throttle_keys(username: str) -> list:
    return [f"addr:{request.remote_addr or ''}", f"user:{username[:80]}"]


def throttled(username: str) -> bool:
    """Whether this address or this name failed too often lately."""
    since = time.time() - FAILURE_WINDOW_SECONDS
    counts = db.connection().execute(
        sa.select(failures.c.key, sa.func.count()).where(
            failures.c.key.in_(_throttle_keys(username)), failures.c.failed_at > since)
        .group_by(failures.c.key)).all()
    return any(count >= MAX_FAILURES for _, count in counts)


def record_failure(username: str) -> None:
    """Count a failed log-in for the address and the name."""
    now = time.time()
    with db.engine().begin() as conn:
        conn.execute(failures.delete().where(failures.c.failed_at < now - FAILURE_WINDOW_SECONDS))
        for key in _throttle_keys(username):
            conn.execute(failures.insert().values(key=key, failed_at=now))


def same_token(given: Any, expected: Any) -> bool:
    """Constant-time comparison; False for missing or non-ASCII values."""
    if not isinstance(given, str) or not isinstance(expected, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt) of ``password``."""
    return generate_password_hash(password)


def create_staff(username: str, password: str) -> None:
    """Add a staff account; ValueError if the name is taken or the password too short."""
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    with db.engine().begin() as conn:
        taken = conn.execute(sa.select(db.staff.c.id).where(db.staff.c.username == username))
        if taken.first():
            raise ValueError(f"{username} exists already")
        conn.execute(db.staff.insert().values(username=username, password_hash=hash_password(
            password), created_at=db.now()))


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send visitors without a session to the log-in page (302)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """Return the session's CSRF token, for every form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def init_app(app: Flask) -> None:
    """Load the user for each request, check CSRF on every POST, expose the token."""
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=SESSION_HOURS)

    @app.before_request
    def load_user_and_check_csrf() -> None:
        g.user = current_user()
        if request.method == "POST":
            if not same_token(request.form.get("csrf_token"), session.get("csrf")):
                abort(400, "missing or wrong CSRF token")

    app.jinja_env.globals["csrf_token"] = csrf_token


def current_user() -> str | None:
    """The logged-in account, checked against the database on every request."""
    username = session.get("user")
    if not username:
        return None
    started = session.get("since")
    conn = db.connection()
    exists = conn.execute(sa.select(db.staff.c.id).where(db.staff.c.username == username)).first()
    if (not exists or not isinstance(started, (int, float))
            or time.time() - started > SESSION_HOURS * 3600
            or session.get("version") != session_version(conn, username)):
        session.clear()
        return None
    return str(username)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with a staff account."""
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if throttled(username):
            return render_template("login.html", problem=TOO_MANY), 429
        row = db.connection().execute(
            sa.select(db.staff).where(db.staff.c.username == username)).first()
        valid = check_password_hash(row.password_hash if row else dummy_hash(), password)
        if row and valid:
            session.clear()
            session.permanent = True
            session["user"] = username
            session["since"] = time.time()
            session["version"] = session_version(db.connection(), username)
            csrf_token()
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//")
                            else url_for("conversations.index"))
        record_failure(username)
        flash("Wrong name or password.")
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out: this and every other session of the account end."""
    if g.get("user"):
        end_sessions(g.user)
    session.clear()
    return redirect(url_for("auth.login"))
