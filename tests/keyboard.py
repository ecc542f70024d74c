"""Keyboard checks shared by the accessibility suites (test_a11y.py, test_report_browser.py)."""

from __future__ import annotations

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout


def wide_regions_scroll(page: Page, where: str) -> tuple[int, list[str]]:
    """Every scrollable region (.tc-scroll) wider than the screen, focused and scrolled with the
    arrow keys: how many there are, and the problems (one that does not move)."""
    problems: list[str] = []
    wide = page.evaluate("""() => [...document.querySelectorAll('.tc-scroll')].flatMap((e, i) =>
        e.scrollWidth > e.clientWidth + 1 ? [i] : [])""")
    for index in wide:
        region = page.locator(".tc-scroll").nth(index)
        region.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        try:  # keyboard scrolling is animated: wait for it to start
            page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle(), timeout=3000)
        except PlaywrightTimeout:
            problems.append(f"{where}: wide table {index} does not scroll with the arrow keys")
    return len(wide), problems
