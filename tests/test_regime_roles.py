"""Form fields say what they are for in the regime data (role), not in template lists (issue 11)."""

from __future__ import annotations

import copy

import pytest

from generator import regime as regimes
from generator.render import fillable_forms


@pytest.mark.parametrize("regime", regimes.all_regimes(), ids=lambda r: r.id)
def test_every_fillable_form_is_signed_at_its_foot_and_one_form_is_the_consent(regime):
    forms = fillable_forms(regime.data)
    for form_id, form in forms.items():
        roles = [f.get("role") for f in form["fields"]]
        assert roles[-2:] == ["signature", "signature"], form_id  # place and date, then the signature
        assert roles.count("prefill") == 1, form_id  # the addressee: the agency
    assert [i for i, f in forms.items() if f.get("role") == "consent"] == ["06"]


@pytest.mark.parametrize("where", ["form", "field"])
def test_an_unknown_role_is_refused_when_the_regime_is_loaded(where):
    data = copy.deepcopy(regimes.all_regimes()[0].data)
    form = data["forms"]["01a"]
    (form if where == "form" else form["fields"][0])["role"] = "multilne"
    with pytest.raises(regimes.RegimeError, match="multilne"):
        regimes._check("test", data)
