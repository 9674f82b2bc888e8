"""Staff log-in, the login_required guard and CSRF protection for every form."""
import functools
import hmac
import secrets
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

    @app.before_request
    def load_user_and_check_csrf() -> None:
        g.user = session.get("user")
        if request.method == "POST":
            sent = request.form.get("csrf_token", "")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(400, "missing or wrong CSRF token")

    app.jinja_env.globals["csrf_token"] = csrf_token


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in with a staff account."""
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        row = db.connection().execute(
            sa.select(db.staff).where(db.staff.c.username == username)).first()
        if row and check_password_hash(row.password_hash, password):
            session.clear()
            session["user"] = username
            csrf_token()
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//")
                            else url_for("conversations.index"))
        flash("Wrong name or password.")
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out."""
    session.clear()
    return redirect(url_for("auth.login"))
