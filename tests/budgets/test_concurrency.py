"""50 concurrent drawdown requests against one approved grant (threads, each request in its own app
context and database session, on SQLite and PostgreSQL): the limit holds; retries book once."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from app.auth.services import create_token
from app.budgets.models import Drawdown
from app.budgets.verify import verify_ledger
from app.platform import clock
from app.platform.database import sum_cents
from app.platform.extensions import db
from app.platform.web.idempotency import IdempotencyKey


def test_fifty_concurrent_requests_never_exceed_the_grant(app, make_user, make_grant):
    grant = make_grant(lines={("F1", 2021): 1_000_000})  # 10,000.00 EUR
    user = make_user("kommune")
    _token, secret = create_token(user, "load")
    url = f"/api/v1/budgets/grants/{grant.id}/drawdowns"
    db.session.commit()  # the test thread holds no transaction (SQLite write lock) while the threads run
    results: list[int] = []
    answers: dict[str, list[int]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def worker(number: int) -> None:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        if number < 20:  # ten keys, each sent twice at the same moment (a client's retry)
            headers["Idempotency-Key"] = f"retry-{number % 10}"
        barrier.wait()
        response = client.post(url, json={"module": "F1", "amount": "300.00", "purpose": "parallel"},
                               headers=headers)
        with lock:
            results.append(response.status_code)
            if "Idempotency-Key" in headers and response.status_code == 201:
                answers.setdefault(headers["Idempotency-Key"], []).append(response.json["id"])

    with clock.freeze(date(2021, 5, 1)):
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert len(results) == 50
    assert set(results) <= {201, 422}, results
    requested = db.session.scalar(select(sum_cents(Drawdown.amount_requested_cents)))
    count = db.session.scalar(select(func.count()).select_from(Drawdown))
    assert requested <= 1_000_000
    assert count == 33  # 10,000 / 300 = 33 requests fit (40 distinct requests were made)
    # A refused request (limit reached) books nothing and stores no key, so its retry may try again;
    # every key that booked did so once, and its retry got the same drawdown back.
    assert all(len(set(ids)) == 1 for ids in answers.values())
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == len(answers)
    replays = sum(len(ids) - 1 for ids in answers.values())
    assert replays > 0 and results.count(201) == 33 + replays
    assert verify_ledger() == []


def _request_in_own_process(url: str, secret: str, grant_id: int, numbers: list[int], barrier) -> list[tuple]:
    """A separate process with its own app and connection pool sends its share of the requests."""
    from app import create_app

    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    client = application.test_client()
    answers = []
    barrier.wait()
    with clock.freeze(date(2021, 5, 1)):
        for number in numbers:
            headers = {"Authorization": f"Bearer {secret}"}
            if number < 20:  # ten keys, each also sent by another process (a client's retry)
                headers["Idempotency-Key"] = f"retry-{number % 10}"
            response = client.post(f"/api/v1/budgets/grants/{grant_id}/drawdowns", headers=headers,
                                   json={"module": "F1", "amount": "300.00", "purpose": "parallel"})
            answers.append((response.status_code, headers.get("Idempotency-Key"),
                            response.json.get("id") if response.status_code == 201 else None))
    with application.app_context():
        db.engine.dispose()
    return answers


def test_requests_from_several_processes_never_exceed_the_grant(app, make_user, make_grant):
    """Four processes (as gunicorn workers would be) send 52 requests against one grant at the same time."""
    import multiprocessing

    grant_id = make_grant(lines={("F1", 2021): 1_000_000}).id  # 10,000.00 EUR: 33 requests of 300.00 fit
    _token, secret = create_token(make_user("kommune"), "load")
    db.session.commit()  # from here on the test process holds no transaction (SQLite write lock) until the end
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(4) as pool:
        barrier = manager.Barrier(4)
        shares = [[n for n in range(52) if n % 4 == worker] for worker in range(4)]
        results = [answer for answers in pool.starmap(
            _request_in_own_process, [(url, secret, grant_id, share, barrier) for share in shares])
            for answer in answers]
    db.session.expire_all()
    assert len(results) == 52 and {status for status, _k, _i in results} <= {201, 422}, results
    assert db.session.scalar(select(sum_cents(Drawdown.amount_requested_cents))) <= 1_000_000
    assert db.session.scalar(select(func.count()).select_from(Drawdown)) == 33  # 42 distinct requests were made
    by_key: dict[str, set[int]] = {}
    for status, key, drawdown_id in results:
        if key and status == 201:
            by_key.setdefault(key, set()).add(drawdown_id)
    assert all(len(ids) == 1 for ids in by_key.values())  # a key books once; its retry gets the same drawdown
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == len(by_key)
    assert verify_ledger() == []
