"""Who may do what on `cchc serve`: accounts, passwords, login, unit rights, other addresses."""

from __future__ import annotations

import json
import os
import stat

import pytest

from cchc.web import create_app
from cchc.web.accounts import ACCOUNTS_NAME, LoginThrottle, read_accounts, verify_password
from conftest import PLAN_2023, run
from web_support import git, plan_in_repo, session_token, submit, text


def add_user(path, name, unit, password="mật-khẩu-dài"):
    return run("serve", "--plan", str(path), "--add-user", name, "--unit", unit, "--password-stdin",
               input=password + "\n")


@pytest.fixture
def plan(tmp_path):
    return plan_in_repo(tmp_path / "so", PLAN_2023)


@pytest.fixture
def site(plan):
    assert add_user(plan, "thanh-tra", "TTRA").exit_code == 0
    assert add_user(plan, "van-phong", "office").exit_code == 0
    app = create_app(plan, accounts=read_accounts(plan.parent / ACCOUNTS_NAME), require_login=True)
    return app


def login(client, name, password="mật-khẩu-dài"):
    client.get("/login")
    return client.post("/login", data={"csrf": session_token(client), "name": name, "password": password})


def test_add_user_stores_a_salted_scrypt_hash_outside_git(plan):
    result = add_user(plan, "Nguyễn Văn An", "TTRA")
    assert result.exit_code == 0
    accounts = plan.parent / ACCOUNTS_NAME
    assert result.stderr == (f"Đã tạo tài khoản Nguyễn Văn An (TTRA) trong {accounts}; đã thêm {ACCOUNTS_NAME} "
                             f"vào {plan.parent / '.gitignore'}\n")
    data = json.loads(accounts.read_text(encoding="utf-8"))
    stored = data["users"]["Nguyễn Văn An"]
    assert stored["unit"] == "TTRA"
    assert stored["hash"].startswith("scrypt$16384$8$1$") and "mật" not in accounts.read_text(encoding="utf-8")
    assert verify_password("mật-khẩu-dài", stored["hash"]) and not verify_password("sai", stored["hash"])
    assert stat.S_IMODE(os.stat(accounts).st_mode) == 0o600 or os.name == "nt"
    assert (plan.parent / ".gitignore").read_text(encoding="utf-8") == f"/{ACCOUNTS_NAME}\n"
    assert git(plan.parent, "status", "--porcelain", "--ignored", ACCOUNTS_NAME) == f"!! {ACCOUNTS_NAME}\n"
    # Two accounts with the same password have different salts.
    add_user(plan, "b", "office")
    users = json.loads(accounts.read_text(encoding="utf-8"))["users"]
    assert users["b"]["hash"] != stored["hash"]
    again = add_user(plan, "b", "office", "mật-khẩu-mới-dài")
    assert again.stderr.startswith("Đã đổi mật khẩu tài khoản b (office)")
    assert (plan.parent / ".gitignore").read_text(encoding="utf-8") == f"/{ACCOUNTS_NAME}\n"  # not added twice


@pytest.mark.parametrize("args, message", [
    (["--unit", "XYZ"], "lỗi: không có đơn vị mã “XYZ”; chọn office hoặc một mã trong danh mục: VP, TTRA"),
    ([], "lỗi: --add-user cần --unit MÃ_ĐƠN_VỊ hoặc --unit office"),
])
def test_add_user_refuses_unknown_units(plan, args, message):
    result = run("serve", "--plan", str(plan), "--add-user", "a", *args, "--password-stdin", input="mật-khẩu-dài\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not (plan.parent / ACCOUNTS_NAME).exists()


def test_add_user_refuses_a_short_password(plan):
    result = add_user(plan, "a", "VP", "ngan")
    assert result.exit_code == 2 and result.stderr == "lỗi: mật khẩu phải có ít nhất 8 ký tự\n"


def test_an_accounts_file_tracked_by_git_is_refused(plan):
    add_user(plan, "a", "VP")
    (plan.parent / ".gitignore").unlink()
    git(plan.parent, "add", ACCOUNTS_NAME)
    result = run("serve", "--plan", str(plan), "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "tệp tài khoản đang được git theo dõi" in result.stderr


def test_another_address_without_accounts_exits_2_in_one_line(plan):
    result = run("serve", "--plan", str(plan), "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2
    assert result.stderr == ("lỗi: không mở máy chủ trên 0.0.0.0 khi chưa có tài khoản nào: tạo bằng cchc serve "
                             "--add-user TÊN --unit MÃ|office, hoặc chỉ dùng trên máy này (--host 127.0.0.1)\n")


def test_every_page_asks_for_a_login(site):
    client = site.test_client()
    r = client.get("/tasks?q=x")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/tasks")
    assert "Đăng nhập" in text(client.get("/login"))
    client.get("/login")
    r = client.post("/tasks/1.d/progress", data={"csrf": session_token(client), "percent": "10"})
    assert r.status_code == 401


def test_a_wrong_password_gets_401_and_changes_nothing(site, plan):
    raw = plan.read_bytes()
    client = site.test_client()
    r = login(client, "thanh-tra", "sai-mat-khau")
    assert r.status_code == 401
    assert "Sai tên tài khoản hoặc mật khẩu." in text(r)
    assert login(client, "khong-co", "sai-mat-khau").status_code == 401
    assert client.get("/").status_code == 302  # still not logged in
    assert plan.read_bytes() == raw


def test_login_attempts_are_rate_limited(site):
    client = site.test_client()
    for _ in range(5):
        assert login(client, "thanh-tra", "sai").status_code == 401
    assert login(client, "thanh-tra", "mật-khẩu-dài").status_code == 429  # even the right one, for a while


def test_throttle_window_passes():
    now = [0.0]
    throttle = LoginThrottle(limit=2, window=60, clock=lambda: now[0])
    throttle.failed("a")
    throttle.failed("a")
    assert throttle.blocked("a") and not throttle.blocked("b")
    now[0] = 61
    assert not throttle.blocked("a")


def test_login_redirects_only_inside_the_site(site):
    client = site.test_client()
    client.get("/login")
    r = client.post("/login", data={"csrf": session_token(client), "name": "thanh-tra", "password": "mật-khẩu-dài",
                                    "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_a_unit_records_on_its_own_tasks_with_its_name(site, plan):
    client = site.test_client()
    assert login(client, "thanh-tra").status_code == 303
    page = text(client.get("/tasks/1.d?as_of=20/03/2023"))
    assert "thanh-tra (TTRA)" in page and "Người ghi" not in page  # `by` is the account, not typed
    r = submit(client, "/tasks/1.d?as_of=20/03/2023", "/tasks/1.d/progress",
               {"percent": "30", "note": "Đã kiểm tra", "date": "20/03/2023", "by": "Ai đó khác"})
    assert r.status_code == 303
    assert "            note: Đã kiểm tra\n            by: thanh-tra\n" in plan.read_text(encoding="utf-8")


def test_a_unit_is_refused_a_task_of_another_unit(site, plan):
    client = site.test_client()
    login(client, "thanh-tra")
    page = client.get("/tasks/3.b?as_of=20/03/2023")  # led by VP, supported by TTUD
    assert "chỉ ghi được nhiệm vụ mà đơn vị mình chủ trì hoặc phối hợp" in text(page)
    assert 'action="/tasks/3.b/progress' not in page.get_data(as_text=True)
    raw = plan.read_bytes()
    own = client.get("/tasks/1.d").get_data(as_text=True)
    from web_support import hidden

    for action in ("progress", "done", "evidence"):
        r = client.post(f"/tasks/3.b/{action}", data={"csrf": hidden(own, "csrf"), "plan_sha": hidden(own, "plan_sha"),
                                                     "percent": "10", "evidence": "x", "text": "x"})
        assert r.status_code == 403
        assert "Tài khoản thanh-tra (TTRA) chỉ ghi được nhiệm vụ mà đơn vị mình chủ trì hoặc phối hợp; nhiệm vụ 3.b " \
               "do VP chủ trì." in text(r)
    for action in ("/targets/measurements", "/reports/narrative"):
        r = client.post(action, data={"csrf": hidden(own, "csrf"), "plan_sha": hidden(own, "plan_sha"),
                                      "target": "hai-long", "value": "90", "period": "2023-Q1"})
        assert r.status_code == 403 and "Chỉ tài khoản của văn phòng (office) ghi được mục này." in text(r)
    assert plan.read_bytes() == raw


def test_a_task_supported_by_all_units_is_open_to_every_unit(site, plan):
    client = site.test_client()
    login(client, "thanh-tra")
    r = submit(client, "/tasks/3.đ?as_of=20/03/2023", "/tasks/3.đ/progress", {"percent": "5", "date": "20/03/2023"})
    assert r.status_code == 303


def test_office_records_everything(site, plan):
    client = site.test_client()
    login(client, "van-phong")
    assert submit(client, "/tasks/3.b?as_of=20/03/2023", "/tasks/3.b/progress",
                  {"percent": "10", "date": "20/03/2023"}).status_code == 303
    assert submit(client, "/targets", "/targets/measurements",
                  {"target": "hai-long", "value": "90", "period": "2023-Q1"}).status_code == 303
    assert "            by: van-phong\n" in plan.read_text(encoding="utf-8")


def test_logout_ends_the_session(site):
    client = site.test_client()
    login(client, "van-phong")
    assert client.get("/").status_code == 200
    r = client.post("/logout", data={"csrf": session_token(client)})
    assert r.status_code == 303 and client.get("/").status_code == 302


def test_a_broken_accounts_file_is_one_line(plan):
    (plan.parent / ACCOUNTS_NAME).write_text("{", encoding="utf-8")
    result = run("serve", "--plan", str(plan), "--host", "0.0.0.0")
    assert result.exit_code == 2 and "tệp tài khoản bị hỏng" in result.stderr and result.stderr.count("\n") == 1
