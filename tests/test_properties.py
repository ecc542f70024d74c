"""Properties over generated input (hypothesis): whatever the schema accepts renders and builds,
rendering is deterministic, and no mutation of a valid file gets past the loader and validator
as anything but a valid agency or clean diagnostics."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from generator import regime as regimes
from generator.build import build_all
from generator.deadlines import add_working_days
from generator.i18n import load_messages
from generator.load import load_bytes
from generator.model import RESERVED_IDS, Agency
from generator.render import AgencyRenderer, RenderedBundle
from generator.validate import AgencySource, validate_documents
from tests.conftest import AGENCIES, BUILD_DATE, ROOT, build_options
from tests.htmlscan import read

# What an agency file can carry once loaded: every character but controls, surrogates, private
# use, unassigned and format characters (the loader refuses those, bidi and zero-width included).
_ALPHABET = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp"))
texts = st.text(_ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
agency_ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True).filter(lambda s: s not in RESERVED_IDS)
entry_ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)
emails = st.from_regex(r"[a-z0-9._+-]{1,12}@[a-z0-9-]{1,10}\.gov\.vn", fullmatch=True)
CLAUSES = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "other"]
FORMS = ["portal", "media", "gazette", "notice_board", "reception", "other"]


@st.composite
def catalog_entries(draw) -> dict:
    created = draw(days)
    disclosed = created + dt.timedelta(days=draw(st.integers(0, 400)))
    entry = {"id": draw(entry_ids), "title": draw(texts), "created": created, "clause": draw(st.sampled_from(CLAUSES)),
             "forms": draw(st.lists(st.sampled_from(FORMS), min_size=1, max_size=3, unique=True)), "disclosed": disclosed}
    for name in ("number", "issuer", "summary", "location", "unit"):
        if draw(st.booleans()):
            entry[name] = draw(texts)
    return entry


@st.composite
def agencies(draw) -> Agency:
    entries = draw(st.lists(catalog_entries(), max_size=6, unique_by=lambda e: e["id"]))
    conditional = draw(st.lists(st.fixed_dictionaries({
        "id": entry_ids, "title": texts,
        "condition": st.sampled_from(["business_secret", "personal_secret", "family_secret"])}),
        max_size=3, unique_by=lambda e: e["id"]))
    assume(not {e["id"] for e in entries} & {e["id"] for e in conditional})
    data = {
        "id": draw(agency_ids), "name": draw(texts), "kind": "department", "address": draw(texts),
        "email": draw(emails), "short_name": draw(texts),
        "contact_point": {"unit": draw(texts), "request_email": draw(emails),
                          "people": draw(st.lists(st.fixed_dictionaries({"name": texts, "position": texts}), max_size=2))},
        "catalog": entries, "conditional_catalog": conditional,
        "statistics": [{"year": 2024, "received": 3, "provided_full": 2, "refused": 1}],
    }
    if draw(st.booleans()):
        data["description"] = draw(texts)
    return Agency.model_validate(data)


@functools.cache
def _renderer(instance: int) -> AgencyRenderer:
    """Two renderers, each with its own template environment, kept across examples."""
    return AgencyRenderer(load_messages("vi"), ROOT / "content", BUILD_DATE)


def _render(agency: Agency, folder: Path, instance: int) -> RenderedBundle:
    return _renderer(instance).render(AgencySource(agency, folder / "agencies" / f"{agency.id}.yaml"), regimes.select(BUILD_DATE),
                           {agency.id: agency.name})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agency=agencies())
def test_rendering_any_valid_agency_twice_gives_identical_pages(agency, tmp_path_factory):
    folder = tmp_path_factory.mktemp("a")
    first, second = _render(agency, folder, 1), _render(agency, folder, 2)
    assert first == second
    assert [page.path for page in first.pages()] == [page.path for page in second.pages()]


_SEED = (AGENCIES / "so-tu-phap-binh-phuoc.yaml").read_bytes()
_LINES = _SEED.split(b"\n")


@st.composite
def mutations(draw) -> bytes:
    """The seed file with a few edits an editor (or an attacker) might make."""
    lines = list(_LINES)
    for _ in range(draw(st.integers(1, 4))):
        lines = lines or [b""]
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace_char", "indent", "swap", "truncate"]))
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, draw(st.binary(max_size=30)) if draw(st.booleans()) else draw(st.text(max_size=30)).encode())
        elif action == "replace_char" and lines[at]:
            column = draw(st.integers(0, len(lines[at]) - 1))
            lines[at] = lines[at][:column] + draw(st.sampled_from([b":", b"-", b"'", b'"', b"#", b"&a", b"*a", b"!!int",
                                                                   b"\t", b"\x00", b"{", b"[", b"\xff", b"|", b"%"]))
        elif action == "indent":
            lines[at] = b"  " + lines[at]
        elif action == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif action == "truncate":
            lines = lines[: at + 1]
    return b"\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(raw=mutations())
def test_any_mutation_of_a_valid_file_validates_or_gives_clean_diagnostics(raw):
    doc = load_bytes(AGENCIES / "so-tu-phap-binh-phuoc.yaml", raw)
    result = validate_documents([doc], regimes.regime_ids())
    line_count = raw.count(b"\n") + 1
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.line <= line_count + 1 and diagnostic.column >= 1, diagnostic
        for lang in ("vi", "en"):
            text = diagnostic.format(load_messages(lang))  # every code has a message, every parameter is given (or KeyError)
            assert "\n" not in text, text
    if result.ok:
        assert [a.model.id for a in result.agencies] == ["so-tu-phap-binh-phuoc"] or not result.agencies


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agency=agencies())
def test_any_valid_agency_builds_and_shows_its_text_literally(agency, tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    agencies_dir = folder / "agencies"
    agencies_dir.mkdir()
    # Written as JSON, which is YAML: the loader reads dates only unquoted, so they are put back bare.
    text = agency.model_dump_json(exclude_defaults=True)
    for entry in agency.catalog:
        for day in (entry.created, entry.disclosed):
            text = text.replace(f'"{day.isoformat()}"', day.isoformat())
    (agencies_dir / f"{agency.id}.yaml").write_text(text, encoding="utf-8")
    report = build_all(build_options(agencies_dir, folder / "site"))
    assert report.built == [agency.id]
    page = read(folder / "site" / agency.id / "danh-muc-cong-khai.html")
    for entry in agency.catalog:
        shown = " ".join(page.texts[entry.id].split())
        assert unicodedata.normalize("NFC", " ".join(entry.title.split())) in unicodedata.normalize("NFC", shown)


@settings(max_examples=200, deadline=None)
@given(start=days, count=st.integers(-3, 400))
def test_working_days_are_counted_as_a_clerk_counts_them_one_by_one(start, count):
    day, left = start, count
    while left > 0:  # the definition: each next day from Monday to Friday counts one
        day += dt.timedelta(days=1)
        left -= day.weekday() < 5
    assert add_working_days(start, count) == day
