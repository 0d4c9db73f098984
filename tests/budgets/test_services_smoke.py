from datetime import date

from app.budgets import services
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.extensions import db


def test_smoke(app, make_user, make_grant):
    grant = make_grant()
    kommune = make_user("kommune")
    finance = make_user("finance")
    with clock.freeze(date(2021, 3, 1)):
        d = services.request_drawdown(grant, module="F1", amount_cents=1_000_000, purpose="Coaching", actor=kommune)
        services.decide_drawdown(d, "approve", actor=finance, amount_cents=900_000, reason="Bedarf geringer")
        services.pay_drawdown(d, actor=make_user("finance"), value_date=date(2021, 3, 5), reference="K-1")
        services.record_expense(grant, actor=kommune, module="F1", expense_date=date(2021, 2, 1), amount_cents=12345)
        db.session.commit()
    assert verify_ledger() == []
    assert services.used_by_line(grant)[("F1", 2021)] == {"paid": 900_000, "bound": 900_000, "spent": 12345,
                                                          "earned": 9876}
