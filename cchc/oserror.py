"""Why a file operation failed, in the user's language rather than the C library's English."""

from __future__ import annotations

import errno

from .i18n import N_, _

_REASONS = {
    errno.ENOENT: N_("không có tệp hoặc thư mục này"),
    errno.EACCES: N_("không có quyền truy cập"),
    errno.EPERM: N_("không được phép"),
    errno.EISDIR: N_("là một thư mục"),
    errno.ENOTDIR: N_("một phần của đường dẫn không phải thư mục"),
    errno.ELOOP: N_("vòng lặp liên kết tượng trưng (symlink)"),
    errno.ENAMETOOLONG: N_("tên tệp quá dài"),
    errno.ENOSPC: N_("ổ đĩa đã đầy"),
    errno.EROFS: N_("ổ đĩa chỉ cho phép đọc"),
    errno.EEXIST: N_("tệp đã có"),
    errno.EBUSY: N_("tệp đang được dùng"),
    errno.EIO: N_("lỗi đọc/ghi của thiết bị"),
    errno.ENXIO: N_("thiết bị không sẵn sàng"),
    errno.EAGAIN: N_("tệp chưa sẵn sàng"),
}


def reason(e: BaseException) -> str:
    """A short Vietnamese reason for an OSError (its English text only for an unusual errno)."""
    code = getattr(e, "errno", None)
    if code in _REASONS:
        return _(_REASONS[code])
    if isinstance(e, RuntimeError):  # pathlib's "Symlink loop" before Python 3.13
        return _(_REASONS[errno.ELOOP])
    return getattr(e, "strerror", None) or str(e)
