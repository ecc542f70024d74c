"""Each file in theme/ copied from Material tracks one release's original (issue 11).

An upgrade of mkdocs-material that changes one of these originals fails here: port the change
into the copy (its first lines say what it changes), then update the hash.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import material
import pytest

MATERIAL_VERSION = "9.8.1"  # pinned in pyproject.toml and requirements.lock
TEMPLATES = Path(material.__file__).parent / "templates"
THEME = Path(__file__).resolve().parent.parent / "theme"

PALETTE = "assets/stylesheets/palette.fb2fffe2.min.css"  # replaced by theme/'s copy, one rule left out
SWITCHING_RULE = ("[data-md-color-switching] *,[data-md-color-switching] :after,[data-md-color-switching] :before"
                  "{transition-duration:0s!important}")

# theme/ copy → (Material's original under material/templates/, sha256 of that original in MATERIAL_VERSION)
COPIES = {
    "partials/header.html": ("partials/header.html",
                             "8cf3fb15bcf969ff596649616fd99366b3c31c08d57a86d05308efc16d8fa75f"),
    "partials/language.html": ("partials/language.html",
                               "3a44516f305006ac794f51a45ad7b532cf270916d8e92e8c42784e58b2eff0a3"),
    "partials/nav.html": ("partials/nav.html", "af33f6e032f632eb055c365eb5f1a975bf8456152fa768e69a1aad6d470b843f"),
    "partials/nav-item.html": ("partials/nav-item.html",
                               "89895208f22d68ce405a4bcb6649b9150eba5bbb04663a6cb3f93f02daf1d2f7"),
    "assets/javascripts/tiepcan-md-base.js": ("partials/javascripts/base.html",
                                              "d6113712bc4deb30b4bd810ee0dfc28b6f04d2f88cc0016c0f1766eac7b762b6"),
    "assets/javascripts/tiepcan-md-content.js": ("partials/javascripts/content.html",
                                                 "3722e156f0f6339de39fbbfc178b6e401d1a4fb890f189ac5b80c2504bda7dcf"),
    "assets/javascripts/tiepcan-md-palette.js": ("partials/javascripts/palette.html",
                                                 "8790389765ea6036effddba548b15093bb05bdc75624eaeaf8b13f3c24be4ab5"),
    PALETTE: (PALETTE, "fb2fffe2c525a359e29ee030c77ffdead459d9d73888c34213d4773262a832ab"),
}


def test_the_installed_material_is_the_pinned_release():
    from importlib.metadata import version

    assert version("mkdocs-material") == MATERIAL_VERSION


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_each_copy_tracks_the_installed_original(copy: str):
    original, digest = COPIES[copy]
    head = "".join((THEME / copy).read_text(encoding="utf-8").splitlines(keepends=True)[:2])
    assert MATERIAL_VERSION in head, f"theme/{copy} names the release it tracks"
    assert hashlib.sha256((TEMPLATES / original).read_bytes()).hexdigest() == digest, (
        f"Material's {original} changed: port the change into theme/{copy}, then update its hash here")


def test_main_defers_the_bundle_the_installed_release_names():
    """theme/main.html writes Material's scripts block itself, to defer the bundle: it names the file."""
    bundle = re.search(r"'(assets/javascripts/bundle\.\w+\.min\.js)'", (TEMPLATES / "base.html").read_text("utf-8"))
    assert bundle, "Material's base.html no longer names its bundle as it did in " + MATERIAL_VERSION
    tag = f"<script src=\"{{{{ '{bundle[1]}' | url }}}}\" defer></script>"
    assert tag in (THEME / "main.html").read_text(encoding="utf-8"), f"theme/main.html should write {tag}"


def test_the_palette_copy_is_the_original_without_the_switching_rule():
    original = (TEMPLATES / PALETTE).read_text(encoding="utf-8")
    copy = (THEME / PALETTE).read_text(encoding="utf-8")
    assert original.count(SWITCHING_RULE) == 1
    *comment, body = copy.split("\n", 2)  # two lines saying what it leaves out and why, then the CSS
    assert all(line.startswith("/*") for line in comment) and body == original.replace(SWITCHING_RULE, "")
