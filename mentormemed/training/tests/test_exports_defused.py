"""R22: the PARS upload and the CSV both defuse spreadsheet formulas in learner-entered fields."""

from __future__ import annotations

import pytest

from mentormemed.training import exports
from mentormemed.training.models import CmeClaim
from mentormemed.training.testing import make_claim

pytestmark = pytest.mark.django_db


def test_pars_and_csv_defuse_a_name_that_is_a_formula(cast):
    cast.mentor.user.first_name = '=HYPERLINK("http://x")'
    cast.mentor.user.save()
    claim = make_claim(cast.mentor)
    claims = CmeClaim.objects.filter(pk=claim.pk).select_related(
        "membership__user", "membership__institution", "version__module"
    )
    assert "\t'=HYPERLINK" in exports.pars_tsv(claims)
    assert "'=HYPERLINK" in exports.claims_csv(claims)
