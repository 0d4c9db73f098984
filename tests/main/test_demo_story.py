"""The demo tells the story after the deadline: proofs of use, final decisions and a reclaim."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select

from app.budgets import demo
from app.budgets.models import ProofOfUse, ProofStatus, Reclaim
from app.platform.extensions import db
from app.reference.services import get_programme
from tests.budgets.conftest import make_grant  # noqa: F401 - fixture


def test_after_the_deadline_proofs_decisions_and_a_reclaim(app, make_user, make_grant):  # noqa: F811
    for ags in ("05315", "05154", "05111", "05113"):  # 05154 (Kleve) spends slowly
        make_grant(ags, source=f"demo:{ags}")
    context = SimpleNamespace(day=date(2023, 9, 1), programme=get_programme(),
                              users={"finanzen@demo.nrw": make_user("finance"),
                                     "zahlstelle@demo.nrw": make_user("finance"),
                                     "admin@demo.nrw": make_user("programme_admin")})
    demo.seed(context)
    demo.settle(context)
    db.session.commit()
    proofs = list(db.session.scalars(select(ProofOfUse)))
    assert len(proofs) == 3  # the last Kommune's proof of use is still due
    assert sum(p.status == ProofStatus.DECIDED for p in proofs) == 3
    assert db.session.scalar(select(func.count()).select_from(Reclaim)) >= 1
