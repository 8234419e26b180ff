"""Who may use `cchc serve` from another computer: accounts, password hashes, login throttling.

Accounts live in `.cchc-accounts.json` beside the plan. The file holds no password, only a salted
scrypt hash (hashlib's, a memory-hard standard KDF) per account; it is written with mode 0600 and
is kept out of git: `add_user` adds it to the `.gitignore` of the plan's folder, and the server
refuses to use an accounts file that git tracks. An account belongs to a unit of the plan's
registry (it may record on the tasks that unit leads or supports) or to `office` (everything).

No web framework here: `cchc serve --add-user` and the tests use it without Flask.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import NotFound, UsageError
from ..i18n import _
from ..model import ALL_UNITS, Task
from ..text import nfc

ACCOUNTS_NAME = ".cchc-accounts.json"
OFFICE = "office"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt's cost does not depend on it, but a request body must stay small
MAX_NAME = 64
# scrypt with N=2**14, r=8, p=1: 16 MB and a few tens of milliseconds per check.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
_FORMAT = 1


@dataclass(frozen=True)
class Account:
    name: str
    unit: str  # a unit key of the plan, or OFFICE

    @property
    def is_office(self) -> bool:
        return self.unit == OFFICE

    def may_record(self, task: Task) -> bool:
        """Office records everything; a unit only on the tasks it leads or supports (ALL included)."""
        return self.is_office or task.lead == self.unit or self.unit in task.support or ALL_UNITS in task.support


def accounts_path(plan_path: str | os.PathLike) -> Path:
    return Path(plan_path).parent / ACCOUNTS_NAME


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(salt=salt.hex(), digest=digest.hex(), **_SCRYPT)


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt" or int(n) > 2 ** 20 or int(r) > 32 or int(p) > 16:
            return False
        actual = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(bytes.fromhex(digest)), maxmem=128 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, bytes.fromhex(digest))


# A hash to check unknown names against, so a wrong name costs as long as a wrong password.
_DUMMY = hash_password(secrets.token_hex(8))


class Accounts:
    """The accounts file as read at start-up: name → (unit, hash)."""

    def __init__(self, path: Path, users: dict[str, dict]):
        self.path = path
        self.users = users

    def __len__(self) -> int:
        return len(self.users)

    def check(self, name: str, password: str) -> Account | None:
        """The account if `password` is right for `name`, else None (same cost either way)."""
        user = self.users.get(nfc(name.strip()))
        ok = verify_password(password[:MAX_PASSWORD], user["hash"] if user else _DUMMY)
        return Account(nfc(name.strip()), user["unit"]) if ok and user else None

    def get(self, name: str) -> Account | None:
        user = self.users.get(name)
        return Account(name, user["unit"]) if user else None


def read_accounts(path: Path) -> Accounts:
    """The accounts file at `path`; none there means no accounts. A broken or unreadable file: NotFound."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Accounts(path, {})
    except OSError as e:
        raise NotFound(_("{path}: không đọc được tệp tài khoản ({reason})").format(
            path=path, reason=e.strerror or e)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
        users = data["users"]
        if data.get("format") != _FORMAT or not isinstance(users, dict) or not all(
                isinstance(u, dict) and isinstance(u.get("unit"), str) and isinstance(u.get("hash"), str)
                for u in users.values()):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise NotFound(_("{path}: tệp tài khoản bị hỏng; xóa tệp rồi tạo lại tài khoản bằng "
                         "cchc serve --add-user TÊN --unit MÃ").format(path=path)) from None
    return Accounts(path, users)


def check_name(name: str) -> str:
    name = nfc(name.strip())
    if not name or len(name) > MAX_NAME or any(ch.isspace() and ch != " " or not ch.isprintable() for ch in name):
        raise UsageError(_("tên tài khoản phải có từ 1 đến {n} ký tự, không có ký tự điều khiển").format(n=MAX_NAME))
    return name


def add_user(plan_path: str | os.PathLike, units: dict[str, str], name: str, unit: str, password: str) -> str:
    """Create or replace account `name` for `unit` (a key of `units`, or office); the line to print."""
    name = check_name(name)
    unit = nfc(unit.strip())
    if unit != OFFICE and unit not in units:
        raise UsageError(_("không có đơn vị mã “{unit}”; chọn office hoặc một mã trong danh mục: {keys}").format(
            unit=unit, keys=", ".join(units)))
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UsageError(_("mật khẩu phải có ít nhất {n} ký tự").format(n=MIN_PASSWORD))
    path = accounts_path(plan_path)
    from .gitops import ensure_ignored, is_tracked

    if is_tracked(path):
        raise UsageError(_("{path}: tệp tài khoản đang được git theo dõi; gỡ khỏi git bằng git rm --cached "
                           "trước khi thêm tài khoản").format(path=path))
    accounts = read_accounts(path)
    users = dict(accounts.users)
    existed = name in users
    users[name] = {"unit": unit, "hash": hash_password(password)}
    _write_private(path, json.dumps({"format": _FORMAT, "users": users}, ensure_ascii=False, indent=1) + "\n")
    ignored = ensure_ignored(path)
    line = (_("Đã đổi mật khẩu tài khoản {name} ({unit}) trong {path}") if existed
            else _("Đã tạo tài khoản {name} ({unit}) trong {path}")).format(name=name, unit=unit, path=path)
    if ignored:
        line += _("; đã thêm {name} vào {gitignore}").format(name=path.name, gitignore=ignored)
    return line


def _write_private(path: Path, text: str) -> None:
    """Write the accounts file atomically, readable by its owner only (mode 0600 before a byte is written)."""
    from ..outputs import replace_file

    replace_file(path, text.encode("utf-8"), mode=0o600)


class LoginThrottle:
    """At most `limit` failed logins per client address in `window` seconds (memory bounded)."""

    def __init__(self, limit: int = 5, window: float = 300.0, clients: int = 10_000, clock=time.monotonic):
        self.limit, self.window, self.clients, self.clock = limit, window, clients, clock
        self._failures: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque:
        times = self._failures.get(key)
        if times is None:
            return deque()
        cutoff = self.clock() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        return times

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key)) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            times = self._recent(key)
            times.append(self.clock())
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.clients:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
