"""Regenerate the screenshots of docs/huong-dan-bien-tap.md from the real pages: `make screenshots`.

The web editor is the vendored Decap CMS against Decap's local Git proxy over a temporary copy of
a demo agency; the preview is the real `tiepcan serve` over a temporary agencies folder. Chromium
is Debian's, launched by path (never a downloaded browser).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from generator import cms  # noqa: E402
from generator.i18n import load_messages  # noqa: E402
from generator.writer import BundleWriter  # noqa: E402
from tests.conftest import MINIMAL_AGENCY, write_agency  # noqa: E402
from tests.servers import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.test_cms import (
    admin_policy,
    catalog_list,
    decap_proxy,
    demo_repository,
    open_editor,  # noqa: E402
    serving_with_policy,
)
from tests.test_serve import BROKEN, serving  # noqa: E402

IMAGES = ROOT / "docs" / "img"
VIEWPORT = {"width": 1100, "height": 760}


def editor_shots(browser, work: Path) -> None:
    with decap_proxy(demo_repository(work / "repo")) as proxy:
        settings = {
            "backend": {"name": "gitlab", "repo": "so-tu-phap/tiepcan", "branch": "main"},
            "publish_mode": "simple",
            "local_backend": {"url": proxy},
        }
        cms.write_admin(BundleWriter(work / "www"), settings, load_messages())
        with serving_with_policy(work / "www", admin_policy(proxy.removesuffix("/api/v1"))) as base:
            context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
            page = context.new_page()
            page.goto(base + "admin/index.html")
            page.get_by_role("button", name="Đăng nhập").wait_for()
            page.screenshot(path=IMAGES / "bien-tap-dang-nhap.png")
            open_editor(page, base + "admin/index.html")
            page.screenshot(path=IMAGES / "bien-tap-bieu-mau.png")
            entries = catalog_list(page)
            entries.scroll_into_view_if_needed()
            entries.locator("[class*='ListItemTopBar'] > button").first.click()
            entries.locator("input[id^='title-field']").first.scroll_into_view_if_needed()
            page.screenshot(path=IMAGES / "bien-tap-sua-dong.png")
            entries.get_by_role("button", name="Add thông tin phải được công khai").click()
            entries.locator("input[id^='title-field']").last.fill("Thông báo lịch tiếp công dân năm 2026")
            entries.locator("input[id^='clause-field']").last.scroll_into_view_if_needed()
            page.screenshot(path=IMAGES / "bien-tap-them-dong.png")
            page.get_by_role("button", name="Công bố", exact=True).click()
            page.screenshot(path=IMAGES / "bien-tap-cong-bo.png")
            context.close()


def preview_shot(browser, work: Path) -> None:
    agency = write_agency(work / "agencies")
    with serving(work / "agencies", work / "site") as base:
        context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
        page = context.new_page()
        page.goto(base + "so-thu/index.html")
        agency.write_text(BROKEN, encoding="utf-8")
        page.get_by_role("heading", name=load_messages().text("serve.title")).wait_for(timeout=60_000)
        page.screenshot(path=IMAGES / "xem-truoc-loi.png")
        agency.write_text(MINIMAL_AGENCY.format(id="so-thu"), encoding="utf-8")
        page.get_by_role("heading", name=load_messages().text("serve.title")).wait_for(state="detached", timeout=60_000)
        page.screenshot(path=IMAGES / "xem-truoc-da-sua.png")
        context.close()


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="tiepcan-shots-") as work:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        editor_shots(browser, Path(work) / "editor")
        preview_shot(browser, Path(work) / "preview")
        browser.close()
    for image in sorted(IMAGES.glob("*.png")):
        print(image.relative_to(ROOT))


if __name__ == "__main__":
    main()
