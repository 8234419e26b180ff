"""The file keeps its shape: saving without a change gives the same bytes; an edit changes only its lines.

cchc never re-dumps a plan (see cchc/yamledit.py): it splices the new lines into the text. So a
"load and save" is the write path with no edit, and must give back the very bytes it read.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from cchc import edit as edits
from cchc import outputs, writer
from cchc.planfile import load, parse_document
from cchc.yamledit import TextEdit, render_scalar
from conftest import PLAN_2023, PROGRESS_PLAN

FIXTURES = Path(__file__).parent / "fixtures"
ROUNDTRIP = sorted(FIXTURES.glob("roundtrip_*.yaml"))
NASTY = FIXTURES / "roundtrip_nasty.yaml"


def variants() -> list:
    out = []
    for source in (PLAN_2023, PROGRESS_PLAN, *ROUNDTRIP):
        raw = source.read_bytes()
        out += [pytest.param(raw, id=source.name),
                pytest.param(raw.replace(b"\n", b"\r\n"), id=source.name + "-crlf"),
                pytest.param(b"\xef\xbb\xbf" + raw, id=source.name + "-bom"),
                pytest.param(raw.rstrip(b"\n"), id=source.name + "-no-final-newline")]
    return out


def test_fixtures_are_valid():
    assert ROUNDTRIP
    for path in ROUNDTRIP:
        assert load(path).plan


@pytest.mark.parametrize("raw", variants())
def test_load_and_save_is_byte_identical(tmp_path, raw):
    path = tmp_path / "plan.yaml"
    path.write_bytes(raw)
    loaded = load(path)
    assert TextEdit(loaded.doc).result() == loaded.doc.text  # the save path with no edit
    mtime = path.stat().st_mtime_ns
    writer.edit_plan(path, lambda loaded, edit: None)
    assert path.read_bytes() == raw and path.stat().st_mtime_ns == mtime
    # and written anyway, through the atomic writer, the bytes are the same
    outputs.replace_file(path, raw)
    assert path.read_bytes() == raw


def removed_and_added(before: str, after: str) -> tuple[list[str], list[str]]:
    lines = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return [line[1:] for line in lines if line[0] == "-"], [line[1:] for line in lines if line[0] == "+"]


@pytest.mark.parametrize("raw", [p for p in variants() if "nasty" in p.id])
def test_every_kind_of_edit_on_the_nasty_file_changes_only_its_lines(tmp_path, raw):
    path = tmp_path / "plan.yaml"
    path.write_bytes(raw)
    before = path.read_bytes().decode("utf-8-sig")
    edits.record_progress(path, "1.a", 60, note="Đã xong: phần 2", date="2023-03-01", by="An")
    edits.record_progress(path, "1.b", 10, note="bắt đầu", date="2023-03-01", by="An")  # no keys at all
    edits.record_progress(path, "2.a", 20, date="2023-03-01", by="An")  # indentless lists
    edits.record_progress(path, "2.đ", 30, date="2023-04-01", by="An")  # a flow list
    edits.add_evidence(path, "1.a", "Công văn số 1/SKHCN-VP ngày 02/03/2023")  # `evidence: []   # none yet`
    edits.add_evidence(path, "1.b", "Công văn số 1/SKHCN-VP ngày 02/03/2023")
    edits.reopen(path, "III.1", "Thiếu phụ lục", date="2023-06-02", by="X")
    edits.record_measurement(path, "dvctt", 65, "Q1")  # target without `measurements`
    edits.record_measurement(path, "pci", 8, "2023")  # a target written as a flow mapping
    edits.record_measurement(path, "hai-long", 90, "2023-Q2")  # comment after the last measurement
    edits.set_narrative(path, "Q1", "proposals", "Đề xuất 1\nĐề xuất 2")  # `narratives: {}`
    edits.set_narrative(path, "Q1", "achievements", "Một")  # goes before proposals, as in the schema
    after = path.read_bytes().decode("utf-8-sig")
    removed, added = removed_and_added(before, after)
    # The only lines changed in place: statuses, empty lists, and the flow lines that were appended to.
    assert removed == [
        "  - {id: pci, name: \"Chỉ số PCI (Top 10)\", kind: rank, target: 10, deadline: 2023-12-31, measurements: []}",
        "        evidence: []   # none yet",
        "      status: not_started",
        "      progress: [{date: 2023-03-01, percent: 10}]",
        "    status: done",
        "narratives: {}",
    ]
    assert "        evidence:   # none yet" in added
    assert "      progress: [{date: 2023-03-01, percent: 10}, {date: 2023-04-01, percent: 30, by: \"An\"}]" in added
    # every line of the original is still there, in order, except those
    kept = [line for line in before.splitlines() if line not in removed]
    rest = iter(after.splitlines())
    assert all(line in rest for line in kept)  # a subsequence of the new lines
    # new entries of a block list sit right after its last item, before the comment that followed it
    lines = after.splitlines()
    i = lines.index("          # comment after the last progress entry: it must stay after any new entry")
    assert lines[i - 5:i] == ["            by: Nguyễn Văn An", "          - date: 2023-03-01", "            percent: 60",
                              '            note: "Đã xong: phần 2"', "            by: An"]
    i = lines.index("      # a comment after the last measurement")
    assert lines[i - 2:i] == ["      - period: 2023-Q2", "        value: 90"]
    # a task without the keys gets them in the schema's order, above its trailing comment
    i = lines.index("        # a trailing comment inside the task, after its last key")
    assert lines[i - 11:i] == [
        "        deadline: year-round",
        "        status: in_progress",
        "        progress:",
        "          - date: 2023-03-01",
        "            percent: 10",
        "            note: bắt đầu",
        "            by: An",
        "        evidence:",
        "          - text: Công văn số 1/SKHCN-VP ngày 02/03/2023",
        "            number: 1/SKHCN-VP",
        "            date: 2023-03-02",
    ]
    # the indentless area keeps its style
    assert "      - date: 2023-03-01\n        percent: 20\n        by: An" in after.replace("\r\n", "\n")
    plan = load(path).plan
    assert plan.narratives["2023-Q1"].proposals == "Đề xuất 1\nĐề xuất 2"
    assert after.replace("\r\n", "\n").endswith(
        "narratives:\n  2023-Q1:\n    achievements: Một\n    proposals: |-\n      Đề xuất 1\n      Đề xuất 2\n"
        "# the last line of the file is a comment" + ("\n" if raw.endswith(b"\n") else ""))
    assert [m.period for m in plan.target("pci").measurements] == ["2023"]


HOSTILE = [
    "", "yes", "no", "true", "null", "~", "123", "1.5", "2023-01-01", "0x1F", ".inf", "-", "- x", "?", ":",
    "a: b", "a #b", "#a", "&a", "*a", "!a", "%a", "@a", "`a", "'a'", '"a"', "a'b", 'a"b', "a\\b", "{a}", "[a]",
    "a, b", "Đào tạo & Bồi dưỡng <2025> \"quý\" {{ x }} {% for %}", "tab\there", "3.đ", "Nguyễn Văn An",
    "x" * 5000, "Tiếng Việt " * 500, "<<<<<<< HEAD", "=======", "a\nb", "dòng 1\n\ndòng 3", "  thụt lề\nb",
    "a\n# không phải chú thích\nb", "kết thúc bằng dấu cách \nb", "a\tb\nc", "\u00a0không gian",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_rendered_text_reads_back_the_same(value):
    rendered = render_scalar(value, 4)
    if isinstance(rendered, str):
        assert "\n" not in rendered
        text = f"k: {rendered}\n"
    else:
        header, lines = rendered
        assert header == "|-"
        text = f"k: {header}\n" + "\n".join(line[2:] if line else line for line in lines) + "\n"
    assert parse_document(Path("x"), text).data == {"k": value}
    assert "\\u" not in text  # Vietnamese is written as it is


def test_long_lines_are_never_folded():
    assert render_scalar("Tiếng Việt " * 2000 + "cuối", 4).count("\n") == 0


def test_multi_line_text_is_a_literal_block():
    assert render_scalar("a\nb", 6) == ("|-", ["      a", "      b"])


def test_region_check_and_whole_file_check_agree(tmp_path, monkeypatch):
    """The fast check (the edited node parsed alone) accepts exactly what parsing everything accepts."""
    texts = []
    for fast in (True, False):
        path = tmp_path / f"plan{fast}.yaml"
        path.write_bytes(NASTY.read_bytes())
        if not fast:
            monkeypatch.setattr(TextEdit, "region", lambda self: None)
        edits.record_progress(path, "1.b", 10, date="2023-03-01", by="An")
        edits.set_narrative(path, "Q1", "causes", "a\nb")
        edits.record_measurement(path, "dvctt", 65, "Q1")
        texts.append(path.read_text(encoding="utf-8"))
    assert texts[0] == texts[1]


def test_a_misplaced_splice_is_caught_before_the_disk(tmp_path, monkeypatch):
    path = tmp_path / "plan.yaml"
    path.write_bytes(PROGRESS_PLAN.read_bytes())
    raw = path.read_bytes()
    # an edit that puts its lines one line too early: still valid YAML, but not what was meant
    real = TextEdit._insert_lines
    monkeypatch.setattr(TextEdit, "_insert_lines", lambda self, after, lines: real(self, after - 1, lines))
    from cchc.diagnostics import CchcError

    with pytest.raises(CchcError) as e:
        edits.record_progress(path, "3.d", 70, date="2023-08-01", by="An")
    assert "không ghi" in str(e.value)
    assert path.read_bytes() == raw


def test_dates_are_written_as_iso():
    assert render_scalar(dt.date(2023, 3, 5), 0) == "2023-03-05"
