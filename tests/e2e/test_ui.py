"""The dashboard at /ui in a real browser (headless Chromium driven by Selenium): log in with the admin key,
walk every page, create a project, a bucket and a table, import a CSV with a progress bar, preview and filter
it, export it with a download link, upload a file, watch the jobs and the live charts, with a screenshot of
each page; names holding markup show as text; no Content Security Policy violation. A table's history
(versions, preview as of one, restore) and a dropped table's undrop are walked too. A read-only key finds
every write control disabled."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from harness import unique_id

pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(CHROMEDRIVER is None, reason="chromium-driver (Debian) not installed")
ROOT = Path(__file__).resolve().parents[2]
MARKUP = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture
def shots(request) -> Path:
    """Screenshots go under build/test-output/ui/<test> (DUCKSTORE_TEST_OUTPUT overrides the base)."""
    base = Path(os.environ.get("DUCKSTORE_TEST_OUTPUT", ROOT / "build" / "test-output"))
    out = base / "ui" / request.node.name
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1100", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait(driver, condition, timeout=30):
    return WebDriverWait(driver, timeout).until(condition)


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def visible(driver, selector, timeout=30):
    return wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, selector)), timeout)


def text_in(driver, selector, needle, timeout=60):
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), needle), timeout)
    return css(driver, selector).text


def login(driver, server, key):
    driver.get(server.http_url + "/ui/")
    visible(driver, "#login-key").send_keys(key)
    css(driver, "#login-form button").click()
    visible(driver, "#logout")


def fill_form(driver, form, **values):
    for name, value in values.items():
        field = css(driver, f"{form} [name={name}]")
        field.clear()
        field.send_keys(value)
    css(driver, f"{form} button[type=submit]").click()


def csp_violations(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]


def test_ui_assets_are_served_with_a_strict_policy(server):
    response = requests.get(server.http_url + "/ui/", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script type=\"module\" src=\"/ui/app.js\"></script>" in response.text
    assert "onclick" not in response.text and "style=" not in response.text
    js = requests.get(server.http_url + "/ui/pages/table.js", timeout=30)
    assert js.status_code == 200 and js.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "innerHTML" not in js.text
    missing = requests.get(server.http_url + "/ui/nope.js", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ui_asset_not_found"


def test_admin_walks_every_page(server, browser, shots, tmp_path):
    driver = browser
    admin = server.admin()
    # A project whose name holds markup: it must show as text, never run.
    marked = admin.call("POST", "/projects", 201, json={"id": unique_id("ui"), "name": MARKUP})

    login(driver, server, server.admin_key)
    visible(driver, "table.projects")
    assert text_in(driver, "#health", "ok") == "ok"
    text_in(driver, "#ready", "ready")
    assert MARKUP in css(driver, "table.projects").text
    assert driver.execute_script("return window.__xss === undefined")
    # The key stays in sessionStorage, never in the URL or a cookie.
    assert driver.execute_script("return sessionStorage.getItem('duckstore.key')") == server.admin_key
    assert server.admin_key not in driver.current_url and driver.get_cookies() == []

    project = unique_id("ui")
    fill_form(driver, "#create-project", id=project)
    text_in(driver, "#create-project .status", "shown once")
    visible(driver, f"table.projects a[href='#/p/{project}']")
    text_in(driver, "#charts figcaption", "req/s", timeout=30)
    driver.save_screenshot(str(shots / "1-overview.png"))

    driver.find_element(By.CSS_SELECTOR, f"table.projects a[href='#/p/{project}']").click()
    text_in(driver, "#project-id", project)
    fill_form(driver, "#create-bucket", name="in.c-sales", description="sales data")
    text_in(driver, "table.buckets", "in.c-sales")
    fill_form(driver, "#create-table", bucket="in.c-sales", name="orders", columns="id, name, amount",
              primary_key="id")
    link = visible(driver, "table.tables a")
    assert link.text == "orders"
    fill_form(driver, "#create-workspace")
    connection = text_in(driver, "#workspace-created code.connection", "postgresql://")
    assert connection.endswith("/" + project)
    text_in(driver, "#project-keys", "project_admin")
    driver.save_screenshot(str(shots / "2-project.png"))

    link.click()
    text_in(driver, "#table-name", "in.c-sales.orders")
    text_in(driver, "#schema", "amount")
    source = tmp_path / "orders.csv"
    source.write_text("id,name,amount\n" + "".join(f"{i},name-{i},{i * 2.5}\n" for i in range(1, 501)))
    css(driver, "#import-file").send_keys(str(source))
    css(driver, "#import-form button[type=submit]").click()
    text_in(driver, "#import-status", "imported 500 rows", timeout=90)
    assert css(driver, "#import-progress").get_attribute("value") == "100"
    text_in(driver, "#table-facts", "500 rows")
    visible(driver, "#preview-table")
    Select(css(driver, "#preview-form [name=column]")).select_by_visible_text("name")
    css(driver, "#preview-form [name=value]").send_keys("name-42")
    css(driver, "#preview-form button[type=submit]").click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview-table tbody tr")) == 1)
    assert "name-42" in css(driver, "#preview-table").text and "105" in css(driver, "#preview-table").text
    css(driver, "#export-form button[type=submit]").click()
    download = visible(driver, "#export-link", timeout=90)
    assert download.get_attribute("href").startswith("blob:") and "500 rows" in download.text
    driver.save_screenshot(str(shots / "3-table.png"))

    driver.get(f"{server.http_url}/ui/#/p/{project}/files")
    visible(driver, "#upload-form")
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"x" * (3 << 20))
    css(driver, "#upload-file").send_keys(str(upload))
    css(driver, "#upload-form button[type=submit]").click()
    text_in(driver, "#upload-status", "uploaded notes.txt", timeout=90)
    assert css(driver, "#upload-progress").get_attribute("value") == "100"
    text_in(driver, "table.files", "notes.txt")
    text_in(driver, "table.files", "orders.csv")
    driver.save_screenshot(str(shots / "4-files.png"))

    driver.find_element(By.LINK_TEXT, "Jobs").click()
    jobs = text_in(driver, "table.jobs", "table.export")
    assert "table.import" in jobs and "succeeded" in jobs
    driver.save_screenshot(str(shots / "5-jobs.png"))

    driver.get(f"{server.http_url}/ui/#/p/{marked['id']}")
    text_in(driver, "#project-id", marked["id"])
    assert MARKUP in css(driver, "main").text
    assert driver.execute_script("return window.__xss === undefined")
    assert csp_violations(driver) == []
    admin.delete(f"/projects/{project}")
    admin.delete(f"/projects/{marked['id']}")


def test_history_preview_restore_and_undrop(server, browser, shots, project):
    project.create_bucket("in.c-h")
    project.create_table("in.c-h", "kv", [{"name": "id", "type": "INTEGER"}, {"name": "v", "type": "VARCHAR"}])
    project.insert("in.c-h", "kv", [{"id": 1, "v": "first"}])
    project.insert("in.c-h", "kv", [{"id": 2, "v": "second"}])
    versions = project.client.call("GET", project.table_path("in.c-h", "kv") + "/history")["versions"]
    then = versions[-2]["version"]  # the first insert
    driver = browser
    login(driver, server, server.admin_key)
    driver.get(f"{server.http_url}/ui/#/p/{project.id}/b/in.c-h/t/kv")
    text_in(driver, "#table-facts", "2 rows")
    listed = visible(driver, "#history-versions")
    assert len(listed.find_elements(By.CSS_SELECTOR, "tbody tr")) == len(versions)
    # Newest first.
    assert listed.find_elements(By.CSS_SELECTOR, "tbody tr")[0].text.startswith(str(versions[-1]["version"]))

    css(driver, f"button.history-preview[data-version='{then}']").click()
    past = visible(driver, "#history-preview-table")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history-preview-table tbody tr")) == 1)
    assert "first" in past.text and "second" not in past.text
    text_in(driver, "#history-preview", f"As of version {then}")
    css(driver, f"button.history-restore[data-version='{then}']").click()
    text_in(driver, "#history-status", f"restored to version {then}: 1 rows")
    text_in(driver, "#table-facts", "1 rows")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history-versions tbody tr")) == len(versions) + 1)
    driver.execute_script("document.querySelector('#history').scrollIntoView()")
    driver.save_screenshot(str(shots / "1-table-history.png"))
    assert project.preview("in.c-h", "kv")["rows"] == [{"id": 1, "v": "first"}]

    project.client.call("DELETE", project.table_path("in.c-h", "kv"), 204)
    driver.get(f"{server.http_url}/ui/#/p/{project.id}")
    text_in(driver, "#dropped-tables", "kv")
    driver.save_screenshot(str(shots / "2-dropped-tables.png"))
    css(driver, "#dropped-tables button.undrop").click()
    text_in(driver, "table.tables", "kv")
    text_in(driver, "#dropped-tables", "none")
    assert project.preview("in.c-h", "kv")["rows"] == [{"id": 1, "v": "first"}]
    assert csp_violations(driver) == []


def test_read_only_key_finds_write_controls_disabled(server, browser, shots, project):
    project.create_bucket("in.c-ro")
    project.create_table("in.c-ro", "t", [{"name": "id", "type": "INTEGER"}])
    project.insert("in.c-ro", "t", [{"id": 1}])
    project.create_table("in.c-ro", "gone", [{"name": "id", "type": "INTEGER"}])
    project.client.call("DELETE", project.table_path("in.c-ro", "gone"), 204)
    reader = project.create_key("branch_read", branch_id="default")["api_key"]
    driver = browser
    login(driver, server, reader)
    text_in(driver, "#who", "branch_read")
    text_in(driver, "#project-id", project.id)
    text_in(driver, "table.tables", "t")
    # Sections the key may not read show the server's refusal.
    text_in(driver, "#project-keys", "forbidden")
    pages = {"project": f"#/p/{project.id}", "table": f"#/p/{project.id}/b/in.c-ro/t/t",
             "files": f"#/p/{project.id}/files"}
    for name, route in pages.items():
        driver.get(f"{server.http_url}/ui/{route}")
        visible(driver, "button.write")
        controls = driver.find_elements(By.CSS_SELECTOR, ".write")
        assert controls, name
        enabled = [c.get_attribute("outerHTML") for c in controls if c.is_enabled()]
        assert enabled == [], f"{name}: enabled write controls {enabled}"
        if name == "project":  # undrop of the dropped table
            visible(driver, "#dropped-tables button.undrop")
            assert not css(driver, "#dropped-tables button.undrop").is_enabled()
        if name == "table":  # restore of each version
            visible(driver, "#history-versions button.history-restore")
            assert not css(driver, "button.history-restore").is_enabled()
            assert css(driver, "button.history-preview").is_enabled()
        driver.save_screenshot(str(shots / f"readonly-{name}.png"))
    # Reading works: the preview shows the row.
    driver.get(f"{server.http_url}/ui/#/p/{project.id}/b/in.c-ro/t/t")
    text_in(driver, "#preview-table", "1")
    # And the server refuses a write even if a control were enabled (the UI has no powers of its own).
    refused = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: 'POST', headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('duckstore.key'),
              'Content-Type': 'application/json'}, body: JSON.stringify({name: 'in.c-new'})})
          .then(r => r.json().then(b => done([r.status, b.error.code])));
    """, f"/projects/{project.id}/branches/default/buckets")
    assert refused == [403, "forbidden"]
    assert csp_violations(driver) == []
