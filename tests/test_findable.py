"""Issue 15, in real Chromium: a search field in the header of every page, that reaches the search page
with the query (and its fallback without JavaScript); "/" goes to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.speech import ENGLISH_ONLY, VIETNAMESE, fake_speech

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("start", ["ubnd-tinh-binh-phuoc/index.html", "index.html"])
def test_a_query_typed_in_the_header_shows_results(chromium, demo_url, width, start):
    page = chromium.new_page(viewport={"width": width, "height": 740})
    page.goto(demo_url + start)
    field = page.locator("header #tc-header-q")
    assert field.is_visible(), "visible without opening the menu"
    box = field.bounding_box()
    assert box is not None and box["width"] >= 60 and box["x"] + box["width"] <= width
    field.fill("305/KH-UBND")
    field.press("Enter")
    page.wait_for_url("**/tim-kiem.html?q=*")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["305/KH-UBND"]
    page.wait_for_selector(".tc-search[data-state=done]", timeout=15000)
    links = page.eval_on_selector_all(".tc-search__documents a", "links => links.map(a => a.href)")
    assert any(link.endswith("danh-muc-cong-khai.html#kh-305-2016") for link in links)
    assert page.input_value("#tc-search-q") == "305/KH-UBND"
    page.close()


def test_every_page_has_the_header_search_pointing_at_its_search_page(demo_site):
    """Every built page but the redirects of old agency ids and the web editor; the form's action is
    the search page of the page's own bundle (or of the portal), relative, so it works at any depth."""
    wrong = {}
    pages = 0
    for path in sorted(demo_site.rglob("*.html")):
        source = path.read_text("utf-8")
        relative = path.relative_to(demo_site)
        if relative.parts[0] == "admin" or 'http-equiv="refresh"' in source:
            continue
        pages += 1
        action = re.search(r'<form class="tc-header-search"[^>]* action="([^"]+)"', source)
        in_bundle = len(relative.parts) > 1 and (demo_site / relative.parts[0] / "tiepcan.json").is_file()
        bundle = demo_site / relative.parts[0] if in_bundle else demo_site  # bao-cao/ is the portal's
        if path.name == "404.html":  # resolved against <base href="./">, the bundle root
            target = bundle / action[1] if action else None
        else:
            target = (path.parent / action[1]).resolve() if action else None
        if target != (bundle / "tim-kiem.html").resolve() and target != bundle / "./tim-kiem.html":
            wrong[relative.as_posix()] = action[1] if action else None
    assert pages > 50 and wrong == {}


def test_without_javascript_the_header_form_reaches_the_search_fallback(chromium, demo_url):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_url + "so-tu-phap-binh-phuoc/huong-dan/quyen-tiep-can-thong-tin.html")  # one folder down
    page.fill("#tc-header-q", "ke hoach")
    page.press("#tc-header-q", "Enter")
    page.wait_for_url("**/so-tu-phap-binh-phuoc/tim-kiem.html?q=*")
    assert page.is_visible(".tc-search__fallback a")
    hrefs = page.eval_on_selector_all(".tc-search__fallback a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["danh-muc-cong-khai.html", "index.html"]
    context.close()


def test_slash_goes_to_the_header_field_but_not_from_another_field(chromium, demo_url):
    page = chromium.new_page()
    page.goto(demo_url + "ubnd-tinh-binh-phuoc/danh-muc-cong-khai.html")
    assert page.get_attribute("#tc-header-q", "aria-keyshortcuts") == "/"
    hint = page.get_attribute("#tc-header-q", "aria-describedby")
    assert "/" in page.text_content(f"#{hint}")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "tc-header-q"
    assert page.input_value("#tc-header-q") == "", "the key that moved focus is not typed"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "tc-header-q"
    page.focus("#tc-filter-text")
    page.keyboard.type("a/b")
    assert page.input_value("#tc-filter-text") == "a/b"
    assert page.evaluate("document.activeElement.id") == "tc-filter-text"
    page.close()


def _page_with_voices(chromium, voices, width=1280):
    page = chromium.new_page(viewport={"width": width, "height": 800})
    page.add_init_script(fake_speech(voices))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


@pytest.mark.parametrize("voices", [[], ENGLISH_ONLY])
def test_without_a_vietnamese_voice_nothing_of_the_listen_button_shows(chromium, demo_url, voices):
    page, errors = _page_with_voices(chromium, voices)
    page.goto(demo_url + "bo-mau/index.html")
    page.wait_for_load_state("load")
    assert page.locator("[data-tc-listen]").count() == 1
    assert not page.locator("[data-tc-listen]").is_visible()
    assert not page.get_by_role("button", name="Nghe nội dung").is_visible()
    assert errors == []
    page.close()


def test_in_this_chromium_the_button_shows_only_if_it_has_a_vietnamese_voice(chromium, demo_url):
    """The real browser, nothing injected: Debian's headless Chromium usually has no voice at all."""
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(demo_url + "bo-mau/index.html")
    page.wait_for_timeout(500)  # voiceschanged, if any voice loads
    has_vietnamese = page.evaluate(
        "() => !!window.speechSynthesis && speechSynthesis.getVoices().some(v => /^vi([-_]|$)/i.test(v.lang))")
    assert page.locator("[data-tc-listen]").is_visible() is has_vietnamese
    assert errors == []
    page.close()


def test_the_listen_button_reads_the_article_in_order_pauses_resumes_and_stops(chromium, demo_url):
    page, errors = _page_with_voices(chromium, VIETNAMESE, width=360)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(demo_url + "bo-mau/danh-muc-cong-khai.html")
    play = page.locator(".tc-listen__play")
    play.wait_for(state="visible")
    status = page.locator(".tc-listen__status")
    assert status.get_attribute("role") == "status"
    play.focus()
    page.keyboard.press("Enter")  # keyboard operable
    spoken = lambda: page.evaluate("window.__tcSpoken")  # noqa: E731
    assert spoken()[0] == {"text": "Danh mục thông tin phải được công khai", "lang": "vi-VN", "rate": 1, "voice": "vi-VN"}
    assert play.inner_text() == "Tạm dừng" and status.inner_text() == "Đang đọc nội dung trang."
    for _ in range(3):
        page.evaluate("window.__tcFinish()")
    said = [s["text"] for s in spoken()]
    intro = page.locator("article h1 ~ p:not(.tc-print-only)").nth(0).inner_text()
    assert said[1] == intro.split(". ")[0].strip() + "." and said[2] == intro.split(". ", 1)[1].strip()
    # the sentence being read is the highlighted one, and is on screen
    marked = page.evaluate("[...CSS.highlights.get('tc-listen')][0].toString().trim()")
    assert " ".join(marked.split()) == said[-1]
    assert page.evaluate("""() => { const r = document.querySelector('.tc-listen-current').getBoundingClientRect();
                                    return r.bottom > 0 && r.top < innerHeight; }""")
    # pause: nothing more is said; resume: the same sentence again
    page.keyboard.press("Enter")
    assert play.inner_text() == "Nghe tiếp" and status.inner_text() == "Đã tạm dừng."
    page.wait_for_timeout(50)
    count = len(spoken())
    page.evaluate("window.__tcFinish()")
    assert len(spoken()) == count
    page.keyboard.press("Enter")
    assert spoken()[-1]["text"] == said[-1] and play.inner_text() == "Tạm dừng"
    # a new rate applies from the sentence being read
    page.select_option("#tc-listen-rate", "1.5")
    page.wait_for_function("window.__tcSpoken[window.__tcSpoken.length - 1].rate === 1.5")
    page.click(".tc-listen__stop")
    assert status.inner_text() == "Đã dừng đọc." and play.inner_text() == "Nghe nội dung"
    assert page.evaluate("document.activeElement.classList.contains('tc-listen__play')")
    assert page.evaluate("document.querySelector('.tc-listen-current')") is None
    assert not [u for u in requests if not u.startswith(demo_url)]
    assert errors == []
    page.close()


def test_every_page_has_a_meta_description_from_its_data(demo_site):
    """Lighthouse's SEO audit asks for one; it names the agency and, on the catalogs, their size."""
    missing = []
    for path in sorted(demo_site.rglob("*.html")):
        source = path.read_text("utf-8")
        relative = path.relative_to(demo_site)
        if relative.parts[0] == "admin" or 'http-equiv="refresh"' in source:
            continue
        found = re.findall(r'<meta name="description" content="([^"]+)">', source)
        if len(found) != 1:
            missing.append(relative.as_posix())
    assert missing == []
    catalog = (demo_site / "bo-mau" / "danh-muc-cong-khai.html").read_text("utf-8")
    assert re.search(r'<meta name="description" content="Danh mục 16 thông tin phải được công khai của Bộ Mẫu', catalog)
