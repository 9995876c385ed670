"""The comparison report in a real browser: headless Chromium at desktop and phone width.

Checks what an analyst would: the page loads with no console error, the first screen shows
completion by unit type and region and the stated-vs-labelled table, the table sorts and
filters, a count opens the measures behind it, nothing overflows a phone screen or shrinks
below a readable size, and every Chinese character (Simplified and Traditional) is drawn
with the font embedded in the page, never a fallback box.

Needs Chromium and its driver (Debian: `apt-get install -y chromium chromium-driver`, as in
.ci/run) and the selenium package; skipped with the reason where they are missing.
Set BULLETIN_SCREENSHOTS=DIR to keep the screenshots (eval/reports/screenshots/).
"""
import os
import shutil
from pathlib import Path

import pytest

from paths import LAYOUTS, ROOT, STRESS

WIDTHS = {"desktop": (1400, 900), "phone": (390, 844)}
# Simplified → Traditional for the characters of one fixture's measures (not the words the
# parser keys on), so that a bulletin written in Traditional characters enters the report.
TRADITIONAL = str.maketrans("学习会议规范档案组织党员干部经济发展项目资金监督检查责任时间门户网站计划开展进行",
                            "學習會議規範檔案組織黨員幹部經濟發展項目資金監督檢查責任時間門戶網站計劃開展進行")


def _chromium() -> tuple[str, str] | None:
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """`bulletin compare` over the seed, the layout and stress fixtures and one Traditional bulletin."""
    from nlp import cli

    src = tmp_path_factory.mktemp("trad")
    text = (LAYOUTS / "three_level.txt").read_text(encoding="utf-8")
    head, body = text.split("\n", 1)
    (src / "three_level_traditional.txt").write_bytes((head + "\n" + body.translate(TRADITIONAL)).encode("utf-8"))
    out = tmp_path_factory.mktemp("cmp") / "report"
    rc = cli.main(["compare", str(ROOT / "data" / "raw"), str(LAYOUTS), str(STRESS), str(src),
                   "--out", str(out), "--model", "rules"])
    assert rc == 1  # not_a_bulletin.txt is listed, not fatal
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    found = _chromium()
    if found is None:
        pytest.skip("Chromium or chromedriver not installed (apt-get install -y chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install selenium)")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a driver online
    opts = webdriver.ChromeOptions()
    opts.binary_location = found[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--lang=zh-CN"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=found[1]), options=opts)
    yield driver
    driver.quit()


def _open(driver, page: Path, width: int, height: int):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(page.as_uri())
    driver.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done(true));")


def _screenshot(driver, name: str, tmp_path: Path) -> Path:
    import base64

    data = base64.b64decode(driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"])
    keep = os.environ.get("BULLETIN_SCREENSHOTS")
    path = (Path(keep) if keep else tmp_path) / f"report-{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _fallback_glyphs(driver) -> dict:
    """Glyphs drawn by any font but the page's embedded one (CDP, per element).

    The embedded subset holds every character on the page, ASCII included, so any other
    font means a character the subset lacks: on a machine without CJK fonts, a box."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    ids = driver.execute_cdp_cmd("DOM.querySelectorAll", {"nodeId": root, "selector": "body *"})["nodeIds"]
    bad = {}
    for nid in ids:
        fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": nid})["fonts"]
        for f in fonts:
            if not f["isCustomFont"]:
                html = driver.execute_cdp_cmd("DOM.getOuterHTML", {"nodeId": nid})["outerHTML"]
                bad.setdefault(f["familyName"], []).append(html[:120])
    return bad


@pytest.mark.parametrize("name", list(WIDTHS))
def test_report_in_chromium(browser, report, tmp_path, name):
    width, height = WIDTHS[name]
    _open(browser, report, width, height)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    js = browser.execute_script
    assert js("return document.fonts.check('16px BulletinCJK', '經濟發展整改')")
    # the first screen answers: completion by unit type and by region, and stated vs labelled
    for card in ("by-unit-type", "by-region", "stated"):
        top = js(f"return document.getElementById('{card}').getBoundingClientRect().top")
        assert top < height, card
    assert "南湖市中级人民法院" in browser.find_element("id", "stated").text
    # nothing cut off: wide tables scroll inside their box. scrollWidth is rounded up from
    # sub-pixel layout, so one pixel over is rounding (no element's box passes the edge, checked below).
    assert js("return document.documentElement.scrollWidth") <= width + 1
    assert js("""return [...document.querySelectorAll('body *')].filter(e => {
        for (let p = e.parentElement; p; p = p.parentElement)
            if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
        return e.getBoundingClientRect().right > arguments[0] + 0.5; }).length""", width) == 0
    smallest = js("""return Math.min(...Array.from(document.querySelectorAll('body *'))
        .filter(e => e.offsetParent !== null && e.childNodes.length && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 11
    assert _fallback_glyphs(browser) == {}
    shot = _screenshot(browser, name, tmp_path)
    from matplotlib import image
    img = image.imread(shot)
    assert img.shape[:2] == (height, width) and img[..., :3].std() > 0.05


def test_table_sorts_filters_and_drills_down(browser, report):
    _open(browser, report, *WIDTHS["desktop"])
    js = browser.execute_script
    rows = lambda: js("""return Array.from(document.querySelectorAll('#bulletins tbody tr'))
        .filter(r => !r.hidden).map(r => [r.cells[0].textContent.trim(), Number(r.cells[9].dataset.v)])""")  # noqa: E731
    n = len(rows())
    assert n == 18
    header = browser.find_element("css selector", "#bulletins thead th:nth-child(10)")
    header.click()
    counts = [c for _, c in rows()]
    assert counts == sorted(counts, reverse=True) and counts[0] == 141
    header.click()
    assert [c for _, c in rows()] == sorted(counts)
    box = browser.find_element("id", "f-text")
    box.send_keys("县")
    shown = rows()
    assert 0 < len(shown) < n
    assert all("县" in t for t in js("""return Array.from(document.querySelectorAll('#bulletins tbody tr'))
        .filter(r => !r.hidden).map(r => r.dataset.search)"""))
    assert browser.find_element("id", "f-count").text == f"显示 {len(shown)} / {n} 份"
    js("document.getElementById('f-text').value=''; document.getElementById('f-text').dispatchEvent(new Event('input'))")
    select = browser.find_element("css selector", "select[data-filter=unit_type]")
    from selenium.webdriver.support.ui import Select
    Select(select).select_by_value("hospital")
    assert [t for t, _ in rows()] == ["临江市第一人民医院"]
    Select(select).select_by_value("")
    # drill-down: the seed's measure count opens its 141 measures
    link = browser.find_element("css selector", "#bulletins a.drill[data-title='常熟经济技术开发区']")
    link.click()
    assert browser.find_element("id", "drill").get_attribute("open") is not None
    assert js("return document.querySelectorAll('#drill-list li').length") == 141
    assert browser.find_element("id", "drill-count").text == "141 项整改措施"
    browser.find_element("id", "drill-close").click()
    assert browser.find_element("id", "drill").get_attribute("open") is None
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_page_needs_no_network(report):
    page = report.read_text(encoding="utf-8")
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "@font-face" in page and "data:font/woff;base64," in page
    assert '<meta name="viewport"' in page

