"""bench/scalecorpus.py: the national corpus of bench/scale.py is deterministic and valid under the current contract."""

from __future__ import annotations

import hashlib
from collections import Counter

from bench import scalecorpus
from generator import regime
from generator.validate import check_paths


def _digest(corpus: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{k}\0{v}\0" for k, v in corpus.items()).encode()).hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes():
    assert _digest(scalecorpus.national_corpus(120)) == _digest(scalecorpus.national_corpus(120))
    assert _digest(scalecorpus.national_corpus(120)) != _digest(scalecorpus.national_corpus(120, seed=7))


def test_every_generated_agency_passes_the_validator(tmp_path):
    specs = scalecorpus.write_corpus(tmp_path, 60)
    result = check_paths([tmp_path], regime.regime_ids())
    assert result.ok, [str(d) for d in result.diagnostics[:5]]
    assert result.diagnostics == []  # no warning either (no personal data, no secrecy mark)
    assert sorted(s.model.id for s in result.agencies) == sorted(s.id for s in specs)
    models = {s.model.id: s.model for s in result.agencies}
    for spec in specs:
        assert models[spec.id].kind == spec.kind
        assert len(models[spec.id].catalog) == spec.entries


def test_withheld_rows_are_kept_out_of_the_published_agencies_and_named_in_notes(tmp_path):
    specs = scalecorpus.write_corpus(tmp_path, 60, withheld=True)
    result = check_paths([tmp_path], regime.regime_ids())
    assert result.ok and len(result.agencies) == 60
    rows = {s.id: sum(line.startswith("  - id: ") for line in scalecorpus.withheld_rows(s)) for s in specs}
    withheld = {(agency_id, f"noi-bo-{k + 1:03d}") for agency_id, count in rows.items() for k in range(count)}
    assert len(withheld) >= 10
    assert {(r.agency_id, r.entry_id) for r in result.refused} == withheld
    assert {d.code for d in result.diagnostics} == {"withheld_entry"} and len(result.diagnostics) == len(withheld)
    for source in result.agencies:  # the published model: the same rows as without them
        assert len(source.model.catalog) == next(s.entries for s in specs if s.id == source.model.id)
    plain = scalecorpus.national_corpus(60)
    assert plain != scalecorpus.national_corpus(60, withheld=True)  # off by default: the baseline reads the corpus


def test_national_shape_parents_first_and_long_tail():
    specs = scalecorpus.national_specs(5000)
    assert len(specs) == 5000 and len({s.id for s in specs}) == 5000
    assert sum(bool(scalecorpus.withheld_rows(s)) for s in specs) > 900  # --withheld: a fifth keep internal rows
    kinds = Counter(s.kind for s in specs)
    assert kinds["provincial_peoples_committee"] == 34
    assert kinds["commune_peoples_committee"] > 3000
    assert kinds["department"] > 500 and kinds["ministry"] > 10 and kinds["public_service_unit"] > 500
    seen: set[str] = set()
    for spec in specs:  # every parent is an agency of the corpus, written before its children
        assert spec.parent is None or spec.parent in seen, spec
        seen.add(spec.id)
    sizes = sorted(s.entries for s in specs)
    assert sizes[-1] == scalecorpus.MAX_ENTRIES and sizes[len(sizes) // 2] < 50
    assert sum(size >= 500 for size in sizes) >= 10
    assert all(len(s.id) <= 64 for s in specs)
