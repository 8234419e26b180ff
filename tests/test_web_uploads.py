"""Evidence files uploaded through the web: safe names, one folder per task, never over another file."""

from __future__ import annotations

import hashlib
import io

import pytest

from cchc.diagnostics import Refused
from cchc.web.uploads import EVIDENCE_DIR, safe_name, store_upload, task_folder


@pytest.mark.parametrize("typed, stored", [
    ("Báo cáo số 45.PDF", "bao-cao-so-45.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\An\\Kế hoạch 12.docx", "ke-hoach-12.docx"),
    ("CON.txt", "con-1.txt"),
    ("", "tai-lieu"),
    (".htaccess", "tai-lieu.htaccess"),
    ("Đề án <đổi mới>: bản 2?.xlsx", "de-an-doi-moi-ban-2.xlsx"),
    ("a" * 300 + ".pdf", "a" * 76 + ".pdf"),
])
def test_safe_names(typed, stored):
    assert safe_name(typed) == stored


def test_each_task_has_its_folder_and_d_is_not_dd():
    assert task_folder("3.đ") == "3-dd" and task_folder("3.d") == "3-d" and task_folder("III.2") == "iii-2"


def test_never_over_another_file(tmp_path):
    first = store_upload(io.BytesIO(b"one"), "bc.pdf", tmp_path, "3.đ", 100)
    same = store_upload(io.BytesIO(b"one"), "bc.pdf", tmp_path, "3.đ", 100)
    other = store_upload(io.BytesIO(b"two"), "bc.pdf", tmp_path, "3.đ", 100)
    folder = tmp_path / EVIDENCE_DIR / "3-dd"
    assert (first.path, first.created) == (folder / "bc.pdf", True)
    assert (same.path, same.created) == (folder / "bc.pdf", False)  # identical bytes: the same file
    assert (other.path, other.created) == (folder / "bc-2.pdf", True)
    assert (folder / "bc.pdf").read_bytes() == b"one" and (folder / "bc-2.pdf").read_bytes() == b"two"
    assert other.sha256 == hashlib.sha256(b"two").hexdigest()
    assert sorted(p.name for p in folder.iterdir()) == ["bc-2.pdf", "bc.pdf"]  # no temporary file left


@pytest.mark.parametrize("data, message", [(b"x" * 101, "tệp tải lên lớn hơn giới hạn"), (b"", "tệp tải lên rỗng")])
def test_too_large_or_empty_is_refused_and_leaves_nothing(tmp_path, data, message):
    with pytest.raises(Refused, match=message):
        store_upload(io.BytesIO(data), "bc.pdf", tmp_path, "3.đ", 100)
    assert list((tmp_path / EVIDENCE_DIR / "3-dd").iterdir()) == []
