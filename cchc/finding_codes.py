"""Every finding code `cchc validate` and `cchc check` can report: its severity and what it means.

The one registry of codes: `checks` takes each finding's severity from here, `cchc check
--list-codes` prints it, and a test keeps the README's table and the codes written in the source
equal to it. A code is a stable interface for tools (git hooks, CI): never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Diagnostic
from .i18n import N_, _

ERROR, WARNING = "error", "warning"
VALIDATE, CHECK, REPORT = "validate", "check", "report"


@dataclass(frozen=True)
class FindingCode:
    code: str
    severity: str  # ERROR | WARNING
    command: str  # VALIDATE (the plan file is refused) | CHECK (found before a report) | REPORT (`cchc report` only)
    meaning: str  # a Vietnamese msgid; `explanation()` translates it

    def explanation(self) -> str:
        return _(self.meaning)

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "command": self.command,
                "meaning": self.explanation()}


def _codes(command: str, severity: str, *pairs: tuple[str, str]) -> list[FindingCode]:
    return [FindingCode(code, severity, command, meaning) for code, meaning in pairs]


REGISTRY: tuple[FindingCode, ...] = (
    *_codes(VALIDATE, ERROR,
           ("not-utf8", N_("tệp không phải văn bản UTF-8")),
           ("merge-conflict", N_("còn dấu xung đột của git (<<<<<<<)")),
           ("yaml-syntax", N_("lỗi cú pháp YAML hoặc ký tự điều khiển")),
           ("alias-expansion", N_("bí danh YAML (*tên) mở rộng thành quá nhiều giá trị")),
           ("too-deep", N_("dữ liệu lồng nhau quá sâu")),
           ("number-too-large", N_("số nguyên quá lớn")),
           ("empty", N_("tệp kế hoạch trống")),
           ("bad-key", N_("khóa không phải chuỗi văn bản")),
           ("duplicate-key", N_("một khóa được ghi hai lần")),
           ("bad-tag", N_("thẻ YAML lạ (!!python…)")),
           ("missing-field", N_("thiếu trường bắt buộc")),
           ("unknown-field", N_("trường không có trong mẫu kế hoạch (gõ sai tên)")),
           ("wrong-type", N_("sai kiểu giá trị (chữ thay cho số, danh sách thay cho chuỗi…)")),
           ("bad-percent", N_("phần trăm ngoài 0–100")),
           ("out-of-range", N_("số ngoài giới hạn cho phép")),
           ("bad-choice", N_("giá trị không thuộc các lựa chọn (trạng thái, loại chỉ tiêu…)")),
           ("bad-value", N_("giá trị không hợp lệ (ngày không tồn tại…)")),
           ("invalid", N_("giá trị không hợp lệ (lỗi khác của mẫu kế hoạch)")),
           ("duplicate-id", N_("mã nhiệm vụ, lĩnh vực hoặc chỉ tiêu bị trùng")),
           ("bad-id", N_("mã nhiệm vụ sai dạng (3.đ, III.2)")),
           ("bad-letter", N_("chữ cái đánh số không theo thứ tự tiếng Việt (3.f)")),
           ("unknown-unit", N_("mã đơn vị không có trong danh mục units")),
           ("date-outside-year", N_("thời hạn, tiến độ hoặc số liệu ghi ngày ngoài năm kế hoạch")),
           ("duplicate-period", N_("số liệu một kỳ được ghi hai lần")),
           ("bad-period", N_("kỳ báo cáo sai dạng (NĂM-Q1, NĂM-H1, NĂM)")),
           ("due-day-with-date", N_("due_day ghi cho một thời hạn đã là ngày (chỉ dùng với thời hạn lặp lại)"))),
    *_codes(CHECK, ERROR,
           ("done-without-evidence", N_("hoàn thành nhưng chưa có tài liệu kiểm chứng (không được tính điểm)")),
           ("late-task", N_("quá thời hạn mà chưa hoàn thành")),
           ("evidence-file-missing", N_("tệp kiểm chứng không còn (đường dẫn tính từ thư mục tệp kế hoạch)")),
           ("evidence-file-changed", N_("tệp kiểm chứng đã bị sửa (sha256 khác lúc ghi)")),
           ("changed-after-submission", N_("số liệu của kỳ đã nộp báo cáo khác với phiên bản đã nộp (bị sửa tay)")),
           ("submitted-file-missing", N_("không còn bản đã ký của báo cáo đã nộp")),
           ("submitted-file-changed", N_("bản đã ký đã bị sửa (sha256 khác lúc nộp)"))),
    *_codes(CHECK, WARNING,
           ("evidence-hash-missing", N_("tệp kiểm chứng chưa có sha256")),
           ("stale-progress", N_("đang thực hiện mà 60 ngày không cập nhật")),
           ("missing-measurement", N_("chỉ tiêu chưa có số liệu của kỳ báo cáo vừa kết thúc (xếp hạng/nhóm: chỉ "
                                      "xét kỳ năm)")),
           ("empty-narrative", N_("kỳ đã kết thúc mà một phần tự đánh giá (ưu điểm, hạn chế, nguyên nhân, đề xuất) "
                                  "còn trống; mỗi phần một dòng")),
           ("empty-direction", N_("không lĩnh vực nào ghi direction: true, nên mục I của báo cáo trống")),
           ("status-inconsistent", N_("trạng thái không khớp nhật ký tiến độ")),
           ("progress-out-of-order", N_("tiến độ ghi ngày sớm hơn mục phía trên")),
           ("amended-after-submission", N_("số liệu của kỳ đã nộp được sửa có ghi lý do (--amend-submitted)")),
           ("submission-unverifiable", N_("không tìm được trong git phiên bản kế hoạch lúc nộp báo cáo"))),
    *_codes(REPORT, WARNING,
           ("report-date-outside-year", N_("báo cáo ghi ngày ngoài năm kế hoạch")),
           ("report-before-cutoff", N_("báo cáo ghi ngày trước ngày chốt số liệu của kỳ"))),
)
BY_CODE: dict[str, FindingCode] = {c.code: c for c in REGISTRY}


def severity(code: str) -> str:
    """The severity of `code`; KeyError for a code not in the registry (a programming error)."""
    return BY_CODE[code].severity


def codes_of(command: str) -> list[FindingCode]:
    return [c for c in REGISTRY if c.command == command]


SEVERITY_LABELS = {
    ERROR: lambda: _("lỗi"),
    WARNING: lambda: _("cảnh báo"),
}


def severity_label(severity: str) -> str:
    """The Vietnamese word for a severity (lỗi, cảnh báo)."""
    return SEVERITY_LABELS[severity]() if severity in SEVERITY_LABELS else severity


def format_finding(d: Diagnostic, file: str | None = None) -> str:
    """One finding as one line: `plan_2023.yaml:123:9: lỗi [done-without-evidence] …`."""
    where = f"{file or d.file}:{d.line}:{d.column}" if d.line else (file or d.file)
    return f"{where}: {severity_label(d.severity)} [{d.code}] {d.message}"


def finding_json(d: Diagnostic, file: str | None = None) -> dict:
    """The `--json` shape of one finding: file, line, column, severity, code, message."""
    return {"file": file or d.file, "line": d.line, "column": d.column, "severity": d.severity,
            "code": d.code, "message": d.message}
