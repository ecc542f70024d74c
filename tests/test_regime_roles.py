"""Form fields say what they are for in the regime data (role), not in template lists (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import regime as regimes
from generator.render import fillable_forms


@pytest.mark.parametrize("regime", regimes.all_regimes(), ids=lambda r: r.id)
def test_every_fillable_form_is_signed_at_its_foot_and_one_form_is_the_consent(regime):
    forms = fillable_forms(regime.data)
    for form_id, form in forms.items():
        roles = [f.role for f in form.fields]
        assert roles[-2:] == ["signature", "signature"], form_id  # place and date, then the signature
        assert roles.count("prefill") == 1, form_id  # the addressee: the agency
    assert [i for i, f in forms.items() if f.role == "consent"] == ["06"]


REGIME_2018 = Path(regimes.__file__).parent / "data" / "regimes" / "2018.yaml"


@pytest.mark.parametrize("where", ["form", "field"])
def test_an_unknown_role_is_refused_when_the_regime_is_loaded_with_its_line(where):
    lines = REGIME_2018.read_text(encoding="utf-8").splitlines()
    form_at = lines.index('  "01a":')
    if where == "form":
        at = form_at + 1
        lines.insert(at, "    role: multilne")
    else:
        at = next(i for i in range(form_at, len(lines)) if "role: prefill" in lines[i])
        lines[at] = lines[at].replace("role: prefill", "role: multilne")
    with pytest.raises(regimes.RegimeError, match=rf"2018.yaml:{at + 1}:\d+: forms.01a.*role: Input should be"):
        regimes.load_regime("2018.yaml", "\n".join(lines).encode())


def test_a_misspelt_key_is_refused_with_its_line():
    text = REGIME_2018.read_text(encoding="utf-8").replace('  "01a":\n', '  "01a":\n    heding: Phiếu\n', 1)
    line = text.splitlines().index("    heding: Phiếu") + 1
    with pytest.raises(regimes.RegimeError, match=rf"2018.yaml:{line}:5: forms.01a.heding: Extra inputs"):
        regimes.load_regime("2018.yaml", text.encode())
