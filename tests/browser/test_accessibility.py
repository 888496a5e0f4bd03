"""Every public page is usable by every citizen, the elderly first (适老化), checked in Chromium.

No third-party checker is downloaded: the checks below use Chromium's own accessibility tree (the names a
screen reader announces) and computed styles. Each public page is checked for: one h1, the landmarks,
lang="zh-hans", a name for every control, link and image, no positive tabindex, a visible focus indicator
on everything reached with Tab, text contrast (4.5:1, or 3:1 for large text), no horizontal scrolling on a
320 px phone or at 200% zoom (a 640×450 viewport is a 1280×900 screen at 200%), and buttons, fields and
choices at least 44 px tall. The request form is filled in and submitted with the keyboard alone.
Screenshots at phone width and 200% zoom are kept in test-artifacts/ for a person to look at.
"""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from daiban.models import Case, CaseStatus, MatterMaterial, MatterQuestion, SpecialGroup
from daiban.services import intake
from tests.browser.conftest import ARTIFACTS
from tests.intake_setup import World
from tests.results_setup import case_in

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PHONE = {"width": 320, "height": 640}
ZOOM_200 = {"width": 640, "height": 450}
DESKTOP = {"width": 1280, "height": 900}
MAX_TABS = 60
NAMED_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "radio",
    "searchbox",
    "spinbutton",
    "textbox",
    "img",
    "image",
    "region",
}

STRUCTURE_JS = """() => {
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const lang = document.documentElement.getAttribute("lang");
  if (lang !== "zh-hans") problems.push(`lang is ${lang}`);
  const h1s = [...document.querySelectorAll("h1")].filter(visible);
  if (h1s.length !== 1) problems.push(`${h1s.length} visible h1`);
  for (const [selector, name] of [["header.site-header", "header"], ["nav", "nav"], ["main", "main"],
                                  ["footer.site-footer", "footer"]]) {
    if (!document.querySelector(selector)) problems.push(`no ${name} landmark`);
  }
  if (document.querySelectorAll("main").length !== 1) problems.push("not exactly one main");
  if (!document.title.trim()) problems.push("empty title");
  for (const el of document.querySelectorAll("[tabindex]")) {
    if (el.tabIndex > 0) problems.push(`positive tabindex on ${el.outerHTML.slice(0, 80)}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src}`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    const hidden = svg.closest("[aria-hidden=true]");
    const named = svg.getAttribute("role") === "img"
      && (svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby"));
    if (!hidden && !named) problems.push(`svg without role=img and a name: ${svg.outerHTML.slice(0, 80)}`);
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, count] of Object.entries(ids)) if (count > 1) problems.push(`duplicate id ${id}`);
  for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby]")) {
    for (const attr of ["aria-describedby", "aria-labelledby"]) {
      const value = el.getAttribute(attr);
      if (value === null) continue;
      if (!value.trim()) problems.push(`empty ${attr} on ${el.tagName}`);
      for (const ref of value.split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) problems.push(`${attr} points to missing #${ref}`);
      }
    }
  }
  return problems;
}"""

CONTRAST_JS = """() => {
  const problems = [];
  const parse = (value) => {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) { layers.push(colour); if (colour[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const shown = (el) => {
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) return false;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.visibility === "hidden" || style.display === "none" || Number(style.opacity) === 0) return false;
      if (style.clip === "rect(0px, 0px, 0px, 0px)" || node.getAttribute("aria-hidden") === "true") return false;
    }
    return true;
  };
  const check = (el, colourValue, what) => {
    const style = getComputedStyle(el);
    const bg = background(el);
    if (!bg) return;
    const fg = over(parse(colourValue), bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    const value = ratio(fg, bg);
    if (value < needed) {
      const text = (what === "placeholder" ? el.placeholder : el.innerText || el.value || "").trim().slice(0, 30);
      const on = `rgb(${bg.slice(0, 3).map(Math.round)})`;
      problems.push(`${value.toFixed(2)}:1 < ${needed}:1 for ${what} "${text}" (${colourValue} on ${on})`);
    }
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg, script, style, noscript")) continue;
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const isField = el.matches(
      "input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file]), select, textarea");
    if (!(hasText || isField) || !shown(el)) continue;
    check(el, getComputedStyle(el).color, "text");
    if (el.placeholder) check(el, getComputedStyle(el, "::placeholder").color, "placeholder");
  }
  return [...new Set(problems)];
}"""

FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  const onScreen = rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth
    && rect.width > 1 && rect.height > 1;
  return {
    key: el.id || el.outerHTML.slice(0, 120),
    what: el.outerHTML.slice(0, 120),
    ring: ring,
    onScreen: onScreen,
  };
}"""

REFLOW_JS = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const scrolls = (node) => ["auto", "scroll"].includes(getComputedStyle(node).overflowX);
  const culprits = [...document.body.querySelectorAll("*")].filter((el) => {
    if (el.getBoundingClientRect().right <= root.clientWidth + 1) return false;
    for (let node = el.parentElement; node; node = node.parentElement) if (scrolls(node)) return false;
    return true;
  }).slice(-5).map((el) => el.outerHTML.slice(0, 100));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits: culprits};
}"""

TARGETS_JS = """() => {
  const problems = [];
  const selector = "button, input[type=submit], input[type=button], a.button, [role=button], select, "
    + "input[type=text], input[type=tel], input[type=email], input[type=search], input[type=number], "
    + "input[type=file], textarea, "
    + ".main-nav a, .text-size button";
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest("[aria-hidden=true]") || !el.getClientRects().length) continue;
    const rect = el.getBoundingClientRect();
    if (rect.height < 43.5 || rect.width < 43.5) {
      problems.push(`${Math.round(rect.width)}x${Math.round(rect.height)} ${el.outerHTML.slice(0, 80)}`);
    }
  }
  for (const input of document.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    const label = input.closest("label") || document.querySelector(`label[for="${input.id}"]`);
    const rect = (label || input).getBoundingClientRect();
    if (rect.height < 43.5) problems.push(`choice ${Math.round(rect.height)}px tall: ${input.id}`);
  }
  return problems;
}"""


def unnamed_in_accessibility_tree(page):
    """Controls, links and images that Chromium would announce without a name."""
    session = page.context.new_cdp_session(page)
    try:
        problems = []
        for node in session.send("Accessibility.getFullAXTree")["nodes"]:
            role = node.get("role", {}).get("value", "")
            name = str(node.get("name", {}).get("value", "")).strip()
            if node.get("ignored") or role not in NAMED_ROLES or name:
                continue
            element = session.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})["node"]
            problems.append(f"{role} without an accessible name: <{element['localName']} {element.get('attributes')}>")
        return problems
    finally:
        session.detach()


def focus_problems(page):
    """Tab through the page: every stop is on screen and shows a focus ring; nothing traps the focus."""
    problems, seen = [], []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None or (seen and focused["key"] == seen[0]):
            break
        seen.append(focused["key"])
        if not focused["ring"]:
            problems.append(f"no visible focus on {focused['what']}")
        if not focused["onScreen"]:
            problems.append(f"focus went off screen to {focused['what']}")
    if not seen:
        problems.append("Tab reaches nothing")
    return problems


def audit(page, name):
    """Every check at the current URL; returns the problems found (empty when the page passes)."""
    page.set_viewport_size(DESKTOP)
    problems = page.evaluate(STRUCTURE_JS) + unnamed_in_accessibility_tree(page) + page.evaluate(CONTRAST_JS)
    problems += focus_problems(page)
    for label, size in (("phone", PHONE), ("zoom200", ZOOM_200)):
        page.set_viewport_size(size)
        overflow = page.evaluate(REFLOW_JS)
        if overflow:
            problems.append(f"horizontal scroll at {label}: {overflow}")
        if label == "phone":
            problems += [f"small target at phone width: {item}" for item in page.evaluate(TARGETS_JS)]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    return problems


# The pages ---------------------------------------------------------------------------------------


@pytest.fixture
def world():
    """A county list with a complete guide, a centre with a window, and staff (tests.intake_setup.World)."""
    world = World()
    guide = world.matter
    guide.conditions = "<p>本人或委托代理人申请。</p>"
    guide.process = [("step", {"name": "申请", "description": "提交材料", "handled_by": "窗口", "time_limit": "即时"})]
    guide.questions.add(MatterQuestion(question="需要本人到场吗？", answer="代办时不需要。"))
    guide.materials.add(MatterMaterial(name="委托书", copies=1, is_essential=False, note="委托他人办理时提供"))
    document = get_document_model()(title="参保登记申请表")
    document.file.save("canbao.txt", ContentFile("参保登记申请表".encode()), save=True)
    guide.application_form = document
    guide.save_revision().publish()
    return world


def look_up(page, case):
    page.goto("/progress/")
    page.get_by_label("办件编号").fill(case.number)
    page.locator("input[name=secret]").fill(case.contact_phone)
    page.get_by_role("button", name="查询", exact=True).click()
    page.get_by_role("heading", name="办件进度").wait_for()


def assert_accessible(page, name):
    problems = audit(page, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "name,url",
    [
        ("home", lambda world: "/"),
        ("matter-lists", lambda world: "/matters/"),
        ("list-filtered", lambda world: f"{world.matter.get_parent().url}?unit={world.unit.pk}"),
        ("guide", lambda world: world.matter.url),
        ("search-results", lambda world: "/search/?q=养老保险"),
        ("search-nothing", lambda world: "/search/?q=火星移民"),
        ("apply", lambda world: "/apply/"),
        ("apply-for-matter", lambda world: f"/apply/?matter={world.matter.pk}"),
        ("progress-form", lambda world: "/progress/"),
        ("process", lambda world: "/process/"),
    ],
)
def test_public_page_is_accessible(page, world, name, url):
    response = page.goto(url(world))
    assert response.status == 200
    assert_accessible(page, name)


def test_apply_with_errors_is_accessible_and_focuses_the_summary(page, world):
    page.goto("/apply/")
    page.get_by_role("button", name="提交申请").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page, "apply-errors")

    # A link in the summary takes the keyboard to the field, which announces its error.
    summary.get_by_role("link", name="联系电话").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_contact_phone"
    phone = page.locator("#id_contact_phone")
    assert phone.get_attribute("aria-invalid") == "true"
    assert "id_contact_phone_error" in phone.get_attribute("aria-describedby")


def test_progress_form_with_a_wrong_pair_is_accessible(page, world):
    world.online_case()
    page.goto("/progress/")
    page.get_by_label("办件编号").fill("BD200001010001")
    page.locator("input[name=secret]").fill("13800001234")
    page.get_by_role("button", name="查询", exact=True).click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page, "progress-error")


def test_progress_timeline_is_accessible(page, world):
    case = world.case_in(CaseStatus.ACCEPTED)
    look_up(page, case)
    assert page.locator('.steps [aria-current="step"]').count() == 1
    assert_accessible(page, "progress-timeline")


def test_progress_corrections_form_is_accessible(page, world):
    case = world.online_case()
    items = [{"name": "户口簿", "problem": "missing", "requirement": "户主页和本人页复印件"}]
    intake.request_supplement(case, user=world.window, items=items, version=case.version)
    case.refresh_from_db()
    look_up(page, case)
    assert page.get_by_label("上传“户口簿”").count() == 1
    assert_accessible(page, "progress-corrections")


def test_evaluation_form_is_accessible(page, world):
    case = case_in(CaseStatus.COMPLETED, world.bureau_unit, world.centre, matter=world.matter)
    look_up(page, case)
    page.get_by_role("heading", name="服务评价").wait_for()
    assert_accessible(page, "evaluation")

    # Sent without a choice: the message is next to the choices, and the page is still accessible.
    page.get_by_role("button", name="提交评价").click()
    page.locator("#evaluation .field--error").get_by_text("请选择评价等级。").wait_for()
    assert_accessible(page, "evaluation-error")


def test_larger_text_keeps_every_page_usable_on_a_phone(page, world):
    """The 大字号 switch (适老化) enlarges the text, says which size is on, and nothing scrolls sideways."""
    page.set_viewport_size(PHONE)
    page.goto(world.matter.url)
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="大字号").click()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > before * 1.15
    assert page.get_by_role("button", name="大字号").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("button", name="标准字号").get_attribute("aria-pressed") == "false"
    pages = ["/", "/matters/", "/search/?q=养老保险", "/apply/", "/progress/", "/process/"]
    for url in pages + [world.matter.url, world.matter.get_parent().url]:
        page.goto(url)  # the choice is remembered
        assert page.evaluate(REFLOW_JS) is None, url
    page.screenshot(path=str(ARTIFACTS / "a11y-large-text-phone.png"), full_page=True)


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, world):
    page.goto("/apply/")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED_JS)
    assert focused["onScreen"] and "skip-link" in focused["what"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


# The request form with the keyboard alone --------------------------------------------------------


def tab_to(page, selector):
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_request_is_completed_with_the_keyboard_alone(page, world):
    page.goto(f"/apply/?matter={world.matter.pk}")
    tab_to(page, "#id_applicant_name")
    page.keyboard.type("李秀英")
    tab_to(page, "#id_contact_name")
    page.keyboard.type("李秀英")
    tab_to(page, "#id_contact_phone")
    page.keyboard.type("13800005678")
    tab_to(page, "[name=service_form]")
    page.keyboard.press("Space")
    tab_to(page, "[name=delivery]")
    page.keyboard.press("Space")
    tab_to(page, "[name=special_group]")
    page.keyboard.press("ArrowDown")  # 不适用 → 老年人: the 绿色通道
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/apply/receipt/**")

    case = Case.objects.get()
    assert case.applicant_name == "李秀英" and case.contact_phone == "13800005678"
    assert case.matter_id == world.matter.pk and case.centre == world.centre
    assert case.special_group == SpecialGroup.ELDERLY
    assert page.locator("#case-number").inner_text() == case.number
    assert_accessible(page, "receipt")


# The checks themselves ---------------------------------------------------------------------------

BROKEN_PAGE_JS = """() => {
  const main = document.querySelector("main");
  main.insertAdjacentHTML("afterbegin", `
    <p style="color: #aaa">浅灰色的说明文字</p>
    <input type="text" id="nameless">
    <img src="/static/none.png">
    <a href="/somewhere" tabindex="3" style="outline: none; box-shadow: none">去</a>
    <button type="button" style="min-height: 0; padding: 0; font-size: 12px">小</button>
    <div style="width: 900px">很宽的内容</div>`);
  document.documentElement.setAttribute("lang", "en");
}"""


def test_the_checks_find_known_problems(page, world):
    """A page broken on purpose fails every check, so a passing page means something."""
    page.goto("/process/")
    page.add_style_tag(content="a[href='/somewhere']:focus-visible { outline: none; box-shadow: none; }")
    page.evaluate(BROKEN_PAGE_JS)
    report = "\n".join(audit(page, "broken"))
    for expected in (
        "lang is en",
        "positive tabindex",
        "img without alt",
        "textbox without an accessible name",
        'for text "浅灰色的说明文字"',
        'no visible focus on <a href="/somewhere"',
        "horizontal scroll at phone",
        "horizontal scroll at zoom200",
        "small target at phone width",
    ):
        assert expected in report, f"{expected!r} not found in:\n{report}"
