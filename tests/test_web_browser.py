"""`cchc serve` in a real browser: Debian's chromium driven by chromedriver through Selenium.

The server is the one `cchc serve` runs (waitress, in a thread on a free port). In CI
(CCHC_REQUIRE_TOOLS=1) a missing chromium or chromedriver fails these tests instead of skipping.
Screenshots go to $CCHC_SCREENSHOTS when it is set (the README's picture is made that way).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cchc.web import create_app
from cchc.web.accounts import ACCOUNTS_NAME, read_accounts
from conftest import require_tool, run
from web_support import plan_in_repo


@pytest.fixture
def browser(tmp_path, monkeypatch):
    chromium = require_tool("chromium")
    driver_path = require_tool("chromedriver")
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1000", "--lang=vi"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture
def serve(tmp_path):
    """Start `cchc serve`'s server for a plan; returns its base URL. Stopped after the test."""
    from waitress import create_server

    servers = []

    def start(path: Path, **options) -> str:
        app = create_app(path, **options)
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server in servers:
        server.close()


def wait(driver, condition, timeout=15):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # A page being replaced makes elements found a moment ago stale: look again.
    return WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(lambda d: condition(d))


def shot(driver, name: str) -> None:
    folder = os.environ.get("CCHC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / name))


def area_bar(driver, number: str) -> float:
    from selenium.webdriver.common.by import By

    rect = driver.find_element(By.CSS_SELECTOR, f'tr[data-area="{number}"] rect.fill')
    return float(rect.get_attribute("width"))


def test_a_newcomer_finds_a_task_and_records_progress(browser, serve, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path = plan_in_repo(tmp_path / "so")
    base = serve(path)
    d = browser
    d.get(base + "/")
    assert d.find_element(By.TAG_NAME, "h1").text.startswith("Tình hình thực hiện — tính đến ngày")
    # The as-of date picker: the plan's year.
    box = d.find_element(By.ID, "as_of")
    box.send_keys("20/03/2023", Keys.ENTER)
    wait(d, lambda d: "tính đến ngày 20/03/2023" in d.find_element(By.TAG_NAME, "h1").text)
    assert area_bar(d, "3") == 0.0
    shot(d, "dashboard-before.png")

    d.find_element(By.LINK_TEXT, "Nhiệm vụ").click()
    wait(d, lambda d: d.find_elements(By.ID, "q"))
    d.find_element(By.ID, "q").send_keys("tuyen truyen")  # no diacritics; the list follows the typing
    wait(d, lambda d: "1 nhiệm vụ" in d.find_element(By.CSS_SELECTOR, "#task-table caption").text)
    ids = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#task-table tbody td:first-child a")]
    assert ids == ["1.a"]
    assert "q=tuyen+truyen" in d.current_url  # the address is the page's stable URL
    # Opening 3.đ: its area, then its link.
    search = d.find_element(By.ID, "q")
    search.clear()
    search.send_keys("3.đ")
    wait(d, lambda d: [a.text for a in d.find_elements(By.CSS_SELECTOR, "#task-table tbody td:first-child a")]
         == ["3.đ"])
    d.find_element(By.LINK_TEXT, "3.đ").click()
    wait(d, lambda d: d.find_elements(By.ID, "percent"))
    assert d.find_element(By.CSS_SELECTOR, "h1 .id").text == "3.đ"
    assert "as_of=20/03/2023" in d.current_url, d.current_url
    assert d.find_element(By.ID, "date").get_attribute("value") == "20/03/2023"
    shot(d, "task-before.png")

    d.find_element(By.ID, "percent").send_keys("40")
    d.find_element(By.ID, "note").send_keys("Đã trình dự thảo Đề án")
    by = d.find_element(By.ID, "by")
    by.clear()
    by.send_keys("Trần Thị Bình")
    d.find_element(By.CSS_SELECTOR, "#form-progress button[type=submit]").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.done"))
    done = d.find_element(By.CSS_SELECTOR, ".msg.done").text
    assert done.startswith("Đã ghi tiến độ 40% cho nhiệm vụ 3.đ vào plan_2023.yaml; xem thay đổi: git diff -- ")
    assert "3.đ: 0% → 40% (Đã trình dự thảo Đề án)" in d.find_element(By.CSS_SELECTOR, ".changes").text
    rows = [r.text for r in d.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")]
    assert rows == ["20/03/2023 40% Đã trình dự thảo Đề án Trần Thị Bình"]
    assert "40% — đang thực hiện" in d.find_element(By.ID, "task-state").text
    shot(d, "task.png")
    assert "            note: Đã trình dự thảo Đề án\n            by: Trần Thị Bình\n" in path.read_text(encoding="utf-8")

    d.find_element(By.LINK_TEXT, "Xem git diff của thay đổi này").click()
    assert "+            percent: 40" in d.find_element(By.ID, "diff").text

    d.find_element(By.LINK_TEXT, "Tổng quan").click()
    wait(d, lambda d: d.find_elements(By.ID, "areas"))
    assert "tính đến ngày 20/03/2023" in d.find_element(By.TAG_NAME, "h1").text  # the date stayed
    assert area_bar(d, "3") == pytest.approx(40 / 7, abs=0.05)  # area 3 has 7 tasks
    assert d.find_element(By.CSS_SELECTOR, 'tr[data-area="3"] .pct').text == "6%"
    shot(d, "dashboard.png")


def test_the_pages_work_without_javascript(browser, serve, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base = serve(plan_in_repo(tmp_path / "so"))
    d = browser
    d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    d.get(base + "/tasks?as_of=20/03/2023")
    d.find_element(By.ID, "q").send_keys("tuyen truyen", Keys.ENTER)
    wait(d, lambda d: "q=tuyen+truyen" in d.current_url)
    assert [a.text for a in d.find_elements(By.CSS_SELECTOR, "#task-table tbody td:first-child a")] == ["1.a"]


def test_phone_width_keeps_the_page_readable(browser, serve, tmp_path):
    from selenium.webdriver.common.by import By

    base = serve(plan_in_repo(tmp_path / "so"))
    d = browser
    d.set_window_size(390, 844)
    d.get(base + "/tasks/3.%C4%91?as_of=20/03/2023")
    width = d.execute_script("return document.documentElement.clientWidth")
    scroll = d.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width + 1  # no sideways scrolling of the page itself (wide tables scroll in their box)
    assert d.find_element(By.ID, "percent").is_displayed()


def test_a_unit_account_is_refused_a_task_of_another_unit(browser, serve, tmp_path):
    from selenium.webdriver.common.by import By

    path = plan_in_repo(tmp_path / "so")
    assert run("serve", "--plan", str(path), "--add-user", "thanh-tra", "--unit", "TTRA", "--password-stdin",
               input="mật-khẩu-dài\n").exit_code == 0
    base = serve(path, accounts=read_accounts(path.parent / ACCOUNTS_NAME), require_login=True)
    d = browser
    d.get(base + "/tasks/3.b?as_of=20/03/2023")
    wait(d, lambda d: d.find_elements(By.ID, "form-login"))
    d.find_element(By.ID, "name").send_keys("thanh-tra")
    d.find_element(By.ID, "password").send_keys("mật-khẩu-dài")
    d.find_element(By.CSS_SELECTOR, "#form-login button").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "h1 .id"))
    assert d.find_element(By.CSS_SELECTOR, "h1 .id").text == "3.b"  # back where the login was asked
    assert not d.find_elements(By.ID, "form-progress")
    assert "chỉ ghi được nhiệm vụ mà đơn vị mình chủ trì hoặc phối hợp" in d.find_element(By.TAG_NAME, "main").text
    # A form of its own task (1.d) sent to 3.b instead is refused by the server, the file unchanged.
    raw = path.read_bytes()
    d.get(base + "/tasks/1.d?as_of=20/03/2023")
    d.find_element(By.ID, "percent").send_keys("10")
    d.execute_script("document.getElementById('form-progress').action = '/tasks/3.b/progress'")
    d.find_element(By.CSS_SELECTOR, "#form-progress button[type=submit]").click()
    wait(d, lambda d: "Bạn không có quyền" in d.find_element(By.TAG_NAME, "h1").text)
    assert "nhiệm vụ 3.b do VP chủ trì" in d.find_element(By.CSS_SELECTOR, ".msg.error").text
    assert path.read_bytes() == raw


def test_a_post_without_csrf_token_is_refused(browser, serve, tmp_path):
    from selenium.webdriver.common.by import By

    path = plan_in_repo(tmp_path / "so")
    base = serve(path)
    raw = path.read_bytes()
    d = browser
    d.get(base + "/tasks/3.%C4%91?as_of=20/03/2023")
    d.find_element(By.ID, "percent").send_keys("40")
    d.execute_script("document.querySelector('#form-progress input[name=csrf]').remove()")
    d.find_element(By.CSS_SELECTOR, "#form-progress button[type=submit]").click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.error"))
    assert "mã xác thực (CSRF)" in d.find_element(By.CSS_SELECTOR, ".msg.error").text
    assert path.read_bytes() == raw
