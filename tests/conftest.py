"""Shared fixtures: the repository's paths, a minimal valid agency, and one demo build per session."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest

from generator.build import BuildOptions, build_all
from tests.servers import CHROMIUM_ARGS, chromium_path, static_server

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = ROOT / "agencies"
BUILD_DATE = dt.date(2026, 11, 23)
DEMO_SITE_URL = "http://127.0.0.1:8000/"  # what `make demo` and `tiepcan serve` use

MINIMAL_AGENCY = """\
id: {id}
name: Sở Thử nghiệm
kind: department
address: Số 1 đường Thử, phường Thử
email: so-thu@example.gov.vn
contact_point:
  unit: Văn phòng Sở
  request_email: yeucau@example.gov.vn
"""


def write_agency(folder: Path, agency_id: str = "so-thu", text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{agency_id}.yaml"
    path.write_text(textwrap.dedent(text) if text is not None else MINIMAL_AGENCY.format(id=agency_id), encoding="utf-8")
    return path


def build_options(agencies_dir: Path, out: Path, **overrides) -> BuildOptions:
    return BuildOptions(agencies_dir=agencies_dir, out=out, config=overrides.pop("config", ROOT / "mkdocs.yml"),
                        content_dir=overrides.pop("content_dir", ROOT / "content"),
                        build_date=overrides.pop("build_date", BUILD_DATE), **overrides)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo agencies built once, as README's build command builds them."""
    out = tmp_path_factory.mktemp("demo") / "site"
    build_all(build_options(AGENCIES, out, site_url=DEMO_SITE_URL))
    return out


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the session (Playwright, executable_path; never a download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_url(demo_site) -> str:
    """The demo build served over HTTP on 127.0.0.1 (base URL ending in '/')."""
    with static_server(demo_site) as url:
        yield url


# Fixtures that build a whole site: a test using one belongs to the slow tier, like every browser test.
_BUILT_SITE_FIXTURES = {"demo_site"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fast tier (`-m "not slow"`) renders page values and checks data; it never builds a site
    or starts a browser, so a test doing either is slow whether or not it says so."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("browser") or fixtures & _BUILT_SITE_FIXTURES:
            item.add_marker(pytest.mark.slow)


# A module whose first statement of marks is this one marks every test in it slow.
_SLOW_MODULE = re.compile(r"^pytestmark = \[?pytest\.mark\.slow\b", re.MULTILINE)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under `-m "not slow"` a module marked slow as a whole is not even imported (none of its tests
    could run): the fast tier does not pay for importing the browser, hosting and build suites."""
    if config.option.markexpr.replace(" ", "") != "notslow" or not collection_path.name.startswith("test_"):
        return None
    if collection_path.suffix == ".py" and _SLOW_MODULE.search(collection_path.read_text(encoding="utf-8")):
        return True
    return None
