"""An agency's brand colour colours its header only if white text on it stays readable (≥ 4.5:1)."""

from __future__ import annotations

import pytest

from generator.i18n import load_messages
from generator.model import HEADER_TEXT_COLOR, contrast_ratio
from generator.validate import check_paths
from tests.conftest import MINIMAL_AGENCY, write_agency


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just fails
    assert contrast_ratio("#4051b5", "#ffffff") == contrast_ratio("#ffffff", "#4051b5")


@pytest.mark.parametrize("colour", ["#1a4d8f", "#767676", "#8A1C1C"])
def test_a_dark_enough_colour_is_accepted(tmp_path, colour):
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + f'brand_color: "{colour}"\n')
    result = check_paths([tmp_path])
    assert result.ok and result.agencies[0].model.brand_color == colour


@pytest.mark.parametrize("colour, code", [("#777777", "brand_color_contrast"), ("#ffd700", "brand_color_contrast"),
                                          ("1a4d8f", "brand_color"), ("#1a4d8", "brand_color"), ("blue", "brand_color")])
def test_a_colour_white_text_cannot_be_read_on_or_no_colour_at_all_is_refused(tmp_path, colour, code):
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + f'brand_color: "{colour}"\n')
    diagnostics = check_paths([tmp_path]).diagnostics
    assert [(d.code, d.line, d.field_path) for d in diagnostics] == [(code, 9, "brand_color")]


def test_the_contrast_message_gives_the_ratio_the_threshold_and_a_fix(tmp_path):
    write_agency(tmp_path, "so-thu", MINIMAL_AGENCY.format(id="so-thu") + 'brand_color: "#777777"\n')
    [diagnostic] = check_paths([tmp_path]).diagnostics
    vi, en = diagnostic.format(load_messages("vi")), diagnostic.format(load_messages("en"))
    assert "so-thu.yaml:9:" in vi and "“#777777”" in vi
    assert "4.47:1" in vi and "4.5:1" in vi and "Cách sửa" in vi  # truncated, so 4.4999 never shows as 4.50
    assert "4.47:1" in en and "Fix:" in en


@pytest.mark.slow  # the demo built with MkDocs
def test_the_header_takes_the_colour(demo_site):
    page = (demo_site / "bo-mau" / "index.html").read_text(encoding="utf-8")
    assert 'href="assets/brand.css"' in page  # a stylesheet file: no inline style under the CSP
    assert ".md-header,.md-tabs{background-color:#8a1c1c}" in (demo_site / "bo-mau" / "assets" / "brand.css").read_text()
    assert contrast_ratio("#8a1c1c", HEADER_TEXT_COLOR) >= 4.5
    assert "brand.css" not in (demo_site / "xa-mau" / "index.html").read_text(encoding="utf-8")
    assert not (demo_site / "xa-mau" / "assets" / "brand.css").exists()
