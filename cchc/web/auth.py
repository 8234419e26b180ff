"""Logging in and out (only when the server listens beyond this computer).

A failed login answers 401 and counts against the client's address; after five failures in five
minutes the address gets 429 until the window passes, whatever it sends. A successful login
starts a new session (new CSRF token), so a session id planted before login is worthless.
"""

from __future__ import annotations

import secrets

from ..i18n import _
from .app import CSRF_FIELD, MAX_FIELD, field, render, web
from .accounts import MAX_PASSWORD


def safe_next(target: str | None) -> str:
    # Only a path on this server: never `//elsewhere` or `https://…`.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def register(app) -> None:
    from flask import abort, redirect, request, session

    @app.route("/login", methods=["GET", "POST"])
    def login():
        state = web()
        if not state.require_login:
            return redirect("/")
        nxt = safe_next(request.values.get("next"))
        if request.method == "GET":
            return render("login.html", next=nxt, name="")
        client = request.remote_addr or "?"
        if state.throttle.blocked(client):
            abort(429)
        name = field("name", MAX_FIELD)
        account = state.accounts.check(name, field("password", MAX_PASSWORD))
        if account is None:
            state.throttle.failed(client)
            return render("login.html", 401, next=nxt, name=name, error=_("Sai tên tài khoản hoặc mật khẩu."))
        state.throttle.succeeded(client)
        session.clear()
        session["user"] = account.name
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
        return redirect(nxt, 303)

    @app.route("/logout", methods=["POST"])
    def logout():
        session.clear()
        return redirect("/login" if web().require_login else "/", 303)
