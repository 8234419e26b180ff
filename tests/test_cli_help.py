"""Help pages and usage errors speak Vietnamese (English with --lang en), in one layout on every command."""

from __future__ import annotations

import re

import pytest

from conftest import run
from test_cli_rules import COMMANDS, REQUIRED

# Click's and Typer's own English, which must not reach a Vietnamese page.
CLICK_ENGLISH = ["Usage", "Options", "Arguments", "Commands", "[required]", "[default", "Show this message",
                 "Try '", "env var", "Error", "Missing", "Invalid value", "No such"]
HEADINGS_VI = ["Đối số:", "Tùy chọn:", "Lệnh:"]
HEADINGS_EN = ["Arguments:", "Options:", "Commands:"]


def help_page(name: str, *lang: str) -> str:
    result = run(*lang, *name.split(), "-h")
    assert result.exit_code == 0, result.stderr
    return result.stdout


PAGES = ["", *sorted(REQUIRED), "evidence"]


@pytest.mark.parametrize("name", PAGES)
def test_vietnamese_help_has_no_click_english(name):
    page = help_page(name)
    assert [w for w in CLICK_ENGLISH if w in page] == []
    assert "<" not in page, "every value has a meaningful metavar, never <str>"


@pytest.mark.parametrize("name", PAGES)
def test_every_help_page_has_one_layout(name):
    for lang, usage, headings, help_line in (
            ((), "Cách dùng: cchc", HEADINGS_VI, "-h, --help  "),
            (("--lang", "en"), "Usage: cchc", HEADINGS_EN, "-h, --help  ")):
        lines = help_page(name, *lang).splitlines()
        assert lines[0].startswith(f"{usage} {name}".rstrip())
        assert lines[1] == "" and lines[2].startswith("  ") and lines[2].strip(), "the description follows the usage"
        found = [line for line in lines if line in headings]
        assert found == [h for h in headings if h in found] and headings[1] in found
        assert any(line.strip().startswith(help_line.strip()) for line in lines)


@pytest.mark.parametrize("name", [n for n in sorted(REQUIRED)])
def test_english_help_translates_the_description_and_the_options(name):
    from cchc import i18n
    from cchc.clihelp import text

    command = COMMANDS[name]
    i18n.set_language("en")
    try:
        description = text(command.help).split("\n")[0]
        option_help = [text(p.help) for p in command.params if p.help]
    finally:
        i18n.set_language(None)
    assert description != command.help.split("\n")[0]
    page = "".join(help_page(name, "--lang", "en").split())  # compared without the wrapping
    assert "".join(description.split()) in page
    for text_ in option_help:
        assert "".join(text_.split()) in page


def test_metavars_name_what_is_typed():
    page = help_page("update")
    assert "Cách dùng: cchc update [TÙY_CHỌN] MÃ" in page
    assert re.search(r"-d, --date NGÀY\s", page) and re.search(r"-p, --plan TỆP\s", page)
    assert re.search(r"--attach TỆP\s", help_page("done"))
    assert re.search(r"--as-of DATE\s", help_page("status", "--lang", "en"))


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_flags_take_no_value(name):
    flags = [p for p in COMMANDS[name].params if getattr(p, "is_flag", False) and p.opts[0] != "--help"]
    page = help_page(name)
    for flag in flags:
        line = next(line for line in page.splitlines() if flag.opts[0] in line)
        assert re.search(re.escape(flag.opts[0]) + r"(\s{2}|$)", line), line


@pytest.mark.parametrize("args, message", [
    (["tasks", "--bogus"], "Lỗi: không có tùy chọn --bogus"),
    (["update"], "Lỗi: thiếu đối số MÃ"),
    (["update", "3.đ"], "Lỗi: thiếu tùy chọn --percent"),
    (["report", "--quarter", "abc"], "Lỗi: giá trị không hợp lệ cho --quarter / -q: cần một số nguyên"),
    (["status", "thừa"], "Lỗi: thừa đối số: thừa"),
    (["nope"], "Lỗi: không có lệnh “nope”; có phải note"),
    (["tasks", "--late=1"], "Lỗi: tùy chọn --late không nhận giá trị"),
    (["tasks", "--sort"], "Lỗi: tùy chọn --sort cần một giá trị"),
])
def test_usage_errors_in_vietnamese(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert [w for w in CLICK_ENGLISH if w in result.stderr] == []
    english = run("--lang", "en", *args)
    assert english.exit_code == 2 and "Error: " in english.stderr and "Lỗi" not in english.stderr


def test_usage_error_points_to_the_help():
    result = run("update")
    assert result.stderr.splitlines()[:2] == ["Cách dùng: cchc update [TÙY_CHỌN] MÃ",
                                               "Xem “cchc update -h” để biết cách dùng."]
