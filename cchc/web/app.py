"""The Flask application: configuration, per-request plan loading, sessions, CSRF, errors.

The plan is read again on every request (through the cache of validated plans, so an unchanged
file costs a hash), the way Fava reloads a changed ledger: an edit made in a text editor or by
`cchc update` shows on the next page. Pages carry `as_of` in their links (`url_defaults`), so the
date chosen in the picker stays while one moves around.

Bounded cost of a request: the body is limited (upload size plus a small margin), a form has at
most `MAX_FORM_PARTS` fields and `MAX_FORM_MEMORY` bytes of text, each field is cut to a length
(`field()`), report generation is serialised and times out, a diff page is cut at 512 KB.
"""

from __future__ import annotations

import datetime as dt
import hmac
import mimetypes
import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field as dc_field
from pathlib import Path

from ..diagnostics import CchcError, NotFound, PlanInvalid, UsageError
from ..i18n import _, current_language
from .accounts import Account, Accounts, LoginThrottle
from .uploads import MAX_UPLOAD_MB

MAX_FORM_PARTS = 40
MAX_FORM_MEMORY = 256 * 1024
MAX_FIELD = 2000  # characters of a one-line field; a narrative may have MAX_TEXT
MAX_TEXT = 20000
CSRF_FIELD = "csrf"
SHA_FIELD = "plan_sha"
# Pages that need no login: the login form itself and the style sheet it uses.
PUBLIC_ENDPOINTS = {"login", "static"}
# Without accounts the server answers only requests addressed to this computer by name: a web page
# elsewhere cannot reach it through DNS rebinding (its Host header would be its own name).
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class WebState:
    """What the app keeps between requests (one per app)."""

    plan: Path
    read_only: bool = False
    require_login: bool = False
    accounts: Accounts | None = None
    commit: bool = False
    max_upload: int = MAX_UPLOAD_MB * 1024 * 1024
    write_lock: threading.Lock = dc_field(default_factory=threading.Lock)
    report_lock: threading.Lock = dc_field(default_factory=threading.Lock)
    throttle: LoginThrottle = dc_field(default_factory=LoginThrottle)
    reports_dir: Path | None = None
    reports: OrderedDict = dc_field(default_factory=OrderedDict)  # token → generated report
    history: OrderedDict = dc_field(default_factory=OrderedDict)  # (HEAD, id) → commits


def create_app(plan_path, *, read_only: bool = False, accounts: Accounts | None = None,
               require_login: bool = False, commit: bool = False, max_upload_mb: int = MAX_UPLOAD_MB,
               secret_key: bytes | None = None):
    """The WSGI app for the plan at `plan_path`.

    `require_login`: every page asks for an account of `accounts` (the server listens beyond this
    computer). `read_only`: no form is shown and every write is refused. `commit`: one git commit
    per write. `secret_key` signs the session cookie; a fresh random one by default, so restarting
    the server logs everyone out.
    """
    from flask import Flask

    # Windows sometimes maps .js to text/plain from the registry (Fava has the same fix).
    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("text/css", ".css")
    app = Flask(__name__, static_folder="static", template_folder="templates")
    if require_login and (accounts is None or not len(accounts)):
        raise UsageError(_("cần ít nhất một tài khoản khi yêu cầu đăng nhập"))
    state = WebState(Path(plan_path), read_only=read_only, require_login=require_login, accounts=accounts,
                     commit=commit, max_upload=max_upload_mb * 1024 * 1024)
    app.extensions["cchc"] = state
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        SESSION_COOKIE_NAME="cchc_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=state.max_upload + MAX_FORM_MEMORY,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_MEMORY,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(_=_, lang=current_language, csrf_token=csrf_token, web=state,
                                 account=current_account, may_write=may_write, CSRF_FIELD=CSRF_FIELD,
                                 SHA_FIELD=SHA_FIELD, MAX_FIELD=MAX_FIELD, MAX_TEXT=MAX_TEXT, as_of=as_of)
    app.jinja_env.globals["zip"] = zip
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["percent_value"] = _percent_value
    _hooks(app)
    from . import auth, pages, writes

    auth.register(app)
    pages.register(app)
    writes.register(app)
    return app


def web() -> WebState:
    from flask import current_app

    return current_app.extensions["cchc"]


def _format_date(day) -> str:
    from ..periods import format_date

    return format_date(day) if day else "—"


def _percent_value(text: str) -> float:
    """The number of a cell such as `40%` or `87,5%` (0 if there is none), for its bar."""
    try:
        return max(0.0, min(100.0, float(text.strip().rstrip("%").replace(",", "."))))
    except ValueError:
        return 0.0


# --- per request ------------------------------------------------------------------------------

def _hooks(app) -> None:
    from flask import abort, g, redirect, request, session, url_for

    @app.url_defaults
    def _keep_as_of(endpoint, values):
        if endpoint != "static" and "as_of" not in values and g.get("as_of_text"):
            values["as_of"] = g.as_of_text

    @app.before_request
    def _session_and_guards():
        state = web()
        if not state.require_login and not _local_host(request.host_url):
            abort(400, _("Máy chủ này chỉ trả lời các địa chỉ của chính máy này (127.0.0.1, localhost); muốn cho "
                         "máy khác vào thì chạy cchc serve --host với tài khoản."))
        if CSRF_FIELD not in session:
            session[CSRF_FIELD] = secrets.token_urlsafe(32)
        g.account = None
        if state.require_login:
            name = session.get("user")
            g.account = state.accounts.get(name) if name else None
            if g.account is None and request.endpoint not in PUBLIC_ENDPOINTS:
                if request.method != "GET":
                    abort(401)
                return redirect(url_for("login", next=request.full_path if request.query_string else request.path))
        g.as_of_text = (request.args.get("as_of") or "").strip()[:20]
        if request.method == "POST":
            sent = request.form.get(CSRF_FIELD, "")
            if not hmac.compare_digest(sent.encode(), session[CSRF_FIELD].encode()):
                abort(403, _("Biểu mẫu thiếu mã xác thực (CSRF) hoặc phiên làm việc đã hết hạn; "
                             "hãy tải lại trang rồi gửi lại."))

    @app.after_request
    def _headers(response):
        # Nothing from elsewhere: no framing, no inline scripts, no remote resources.
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                                    "form-action 'self'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(PlanInvalid)
    def _invalid(e: PlanInvalid):
        return render("error.html", 503, title=_("Tệp kế hoạch đang có lỗi"),
                      message=_("Tệp kế hoạch đang có lỗi nên chưa xem được; sửa các lỗi sau (cchc validate) rồi "
                                "tải lại trang."), details=[str(d) for d in e.diagnostics[:50]])

    @app.errorhandler(CchcError)
    def _refused(e: CchcError):
        status = 400 if isinstance(e, UsageError) else 404 if isinstance(e, NotFound) else 422
        return render("error.html", status, title=_("Không thực hiện được"),
                      message=str(e))

    from werkzeug.exceptions import HTTPException

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return _http(e)
        import os

        if os.environ.get("CCHC_DEBUG"):
            raise e
        app.logger.exception("cchc serve")  # the traceback goes to the server's console, not the page
        return render("error.html", 500, title=_("Không thực hiện được"),
                      message=_("lỗi không mong đợi: {kind}: {detail} (đặt CCHC_DEBUG=1 để xem chi tiết)").format(
                          kind=type(e).__name__, detail=e))

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        messages = {
            400: _("Yêu cầu không hợp lệ."),
            401: _("Cần đăng nhập."),
            403: _("Bạn không có quyền thực hiện việc này."),
            404: _("Không có trang này."),
            405: _("Trang này không nhận cách gửi này."),
            413: _("Tệp tải lên hoặc biểu mẫu quá lớn (tối đa {mb} MB).").format(mb=web().max_upload // 2 ** 20),
            429: _("Quá nhiều lần đăng nhập sai; hãy đợi vài phút rồi thử lại."),
        }
        # Werkzeug's own English descriptions are replaced; a Vietnamese one given to abort() is kept.
        message = e.description if e.description != type(e).description else messages.get(e.code, e.name)
        return render("error.html", e.code or 500, title=messages.get(e.code, e.name), message=message)


def _local_host(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in LOCAL_HOSTS


def csrf_token() -> str:
    from flask import session

    return session.get(CSRF_FIELD, "")


def current_account() -> Account | None:
    from flask import g

    return g.get("account")


def may_write(task=None) -> bool:
    """Whether this visitor may record (on `task`, or on plan-wide items when None)."""
    state = web()
    if state.read_only:
        return False
    account = current_account()
    if not state.require_login:
        return True
    if account is None:
        return False
    return account.is_office if task is None else account.may_record(task)


def render(template: str, status: int = 200, **context):
    from flask import render_template

    return render_template(template, **context), status


def loaded_plan():
    """The plan as it is on disk now (once per request)."""
    from flask import g

    if "loaded" not in g:
        from ..cache import load_cached

        g.loaded = load_cached(web().plan)
    return g.loaded


def _plan_year() -> int | None:
    """The plan's year for a refusal's example date; none while the plan cannot be read."""
    from ..diagnostics import CchcError

    try:
        return loaded_plan().plan.plan.year
    except CchcError:
        return None


def as_of() -> dt.date:
    """The date pages compute on: `?as_of=dd/mm/yyyy`, else today (a bad date: today, with a message)."""
    from flask import g

    if "as_of" not in g:
        from ..periods import parse_user_date

        g.as_of, g.as_of_error = dt.date.today(), None
        if g.get("as_of_text"):
            try:
                g.as_of = parse_user_date(g.as_of_text, _plan_year())
            except ValueError as e:
                g.as_of_error = str(e)
                g.as_of_text = ""
    return g.as_of


def field(name: str, limit: int = MAX_FIELD) -> str:
    """A form field, at most `limit` characters (the rest of a hostile value is dropped)."""
    from flask import request

    return (request.form.get(name) or "")[:limit]


def reports_dir() -> Path:
    state = web()
    if state.reports_dir is None:
        state.reports_dir = Path(tempfile.mkdtemp(prefix="cchc-web-reports-"))
    return state.reports_dir
