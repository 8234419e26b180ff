"""`cchc serve`: the plan in a browser (Flask app in `cchc.web`, served by waitress).

Flask and waitress are imported inside the command, so no other command pays for them.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .i18n import _

DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "localhost", "::1")

from .cmdoptions import PlanOpt

def is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    plan: PlanOpt = None,
    host: Annotated[str, typer.Option("--host", metavar=_("ĐỊA_CHỈ"), help=_(
        "Địa chỉ nghe; mặc định chỉ máy này. Địa chỉ khác (0.0.0.0…) cần tài khoản (--add-user)."))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, metavar=_("CỔNG"), help=_("Cổng (0: chọn một cổng trống)."))]
    = DEFAULT_PORT,
    open_browser: Annotated[bool, typer.Option("--open", help=_("Mở trình duyệt khi máy chủ đã chạy."))] = False,
    read_only: Annotated[bool, typer.Option("--read-only", help=_("Chỉ xem: không có biểu mẫu ghi nào."))] = False,
    commit: Annotated[bool, typer.Option("--commit", help=_(
        "Mỗi lần ghi qua web tạo một commit git với lời nhắn tiếng Việt (ví dụ “3.đ: 40% → 60%”)."))] = False,
    max_upload: Annotated[int, typer.Option("--max-upload", min=1, max=500, metavar="MB", help=_(
        "Dung lượng tối đa của một tệp kiểm chứng tải lên, tính bằng MB."))] = 20,
    add_user: Annotated[Optional[str], typer.Option("--add-user", metavar="TÊN", help=_(
        "Tạo (hoặc đổi mật khẩu) tài khoản TÊN rồi thoát; cần --unit."), show_default=False)] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", metavar="MÃ|office", help=_(
        "Với --add-user: mã đơn vị (chỉ ghi nhiệm vụ đơn vị chủ trì hoặc phối hợp) hoặc office (mọi việc)."),
        show_default=False)] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help=_(
        "Với --add-user: đọc mật khẩu từ dòng đầu của đầu vào chuẩn thay vì hỏi."))] = False,
) -> None:
    """Mở kế hoạch trên trình duyệt: xem tình hình, tra cứu, ghi tiến độ, lập báo cáo."""
    from . import output
    from .cmdoptions import open_plan, plan_path
    from .diagnostics import UsageError

    path = plan_path(plan)
    loaded = open_plan(str(path))  # an invalid plan is reported here, with every line, before serving
    if add_user is not None:
        if not unit:
            raise UsageError(_("--add-user cần --unit MÃ_ĐƠN_VỊ hoặc --unit office"))
        from .web.accounts import add_user as create

        output.message(create(path, loaded.plan.units, add_user, unit, _read_password(password_stdin)))
        return
    if unit or password_stdin:
        raise UsageError(_("--unit và --password-stdin chỉ dùng cùng --add-user"))
    from .web.accounts import accounts_path, read_accounts
    from .web.gitops import in_repository, is_tracked

    accounts_file = accounts_path(path)
    require_login = not is_loopback(host)
    accounts = None
    if require_login:
        accounts = read_accounts(accounts_file)
        if not len(accounts):
            raise UsageError(_("không mở máy chủ trên {host} khi chưa có tài khoản nào: tạo bằng cchc serve --add-user "
                               "TÊN --unit MÃ|office, hoặc chỉ dùng trên máy này (--host 127.0.0.1)").format(host=host))
        if is_tracked(accounts_file):
            raise UsageError(_("{path}: tệp tài khoản đang được git theo dõi; gỡ bằng git rm --cached {name} và "
                               "thêm vào .gitignore").format(path=accounts_file, name=accounts_file.name))
    if commit and not in_repository(path):
        raise UsageError(_("--commit cần tệp kế hoạch nằm trong một kho git: {path}").format(path=path))
    run_server(path, host, port, open_browser, read_only=read_only, accounts=accounts, require_login=require_login,
               commit=commit, max_upload_mb=max_upload)


def _read_password(from_stdin: bool) -> str:
    import sys

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    from .diagnostics import UsageError

    first = getpass.getpass(_("Mật khẩu: "))
    if getpass.getpass(_("Nhập lại mật khẩu: ")) != first:
        raise UsageError(_("hai lần nhập mật khẩu không khớp; chưa tạo tài khoản"))
    return first


def run_server(path, host: str, port: int, open_browser: bool, **options) -> None:
    """Serve until Ctrl-C: waitress (pure Python, Windows and Linux), a few threads, bounded requests."""
    import shutil
    import threading
    import webbrowser

    from waitress import create_server

    from . import output
    from .cmdoptions import display_path
    from .diagnostics import UsageError
    from .web import create_app

    app = create_app(path, **options)
    try:
        server = create_server(app, host=host, port=port, threads=4, ident="cchc",
                               max_request_body_size=app.config["MAX_CONTENT_LENGTH"], channel_timeout=120)
    except OSError as e:
        raise UsageError(_("không mở được máy chủ trên {host}:{port} ({reason}); chọn cổng khác bằng --port").format(
            host=host, port=port, reason=e.strerror or e)) from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/"
    output.message(_("cchc serve: {url} — kế hoạch {path}; nhấn Ctrl-C để dừng").format(
        url=url, path=display_path(path)))
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    _stop_on_sigterm()
    try:
        server.run()  # waitress returns from here on Ctrl-C, after finishing the requests under way
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        folder = app.extensions["cchc"].reports_dir
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    output.message(_("Đã dừng máy chủ."))


def _stop_on_sigterm() -> None:
    """A service manager's SIGTERM stops the server like Ctrl-C: requests under way finish, temp files go."""
    import signal

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)


def register(app) -> None:
    """Add `serve` to the Typer `app`."""
    app.command("serve")(serve)
