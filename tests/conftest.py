"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

* ``backend`` is parametrised over both engines (session scope: one schema per engine per run);
  PostgreSQL gets a fresh database ``ds_test_<random>`` that is dropped at the end. Without a
  reachable server the PostgreSQL half is skipped, unless ``REQUIRE_POSTGRES=1`` (CI), which fails.
* ``app`` is function-scoped: after each test every table except the reference data is emptied.
* Pure tests request none of these and run once.
"""

from __future__ import annotations

import os
import re
import secrets

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, text

from app import create_app
from app.platform import clock
from app.platform.extensions import db

# Timing is measured in bench/, never asserted: no per-example deadline (a loaded CI machine
# made property tests fail "flaky" on time alone).
settings.register_profile("durchstarten", deadline=None, print_blob=True)
settings.load_profile("durchstarten")

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REFERENCE_TABLES = {"programmes", "funding_modules", "kommunen", "gemeinden"}
PASSWORD = "Test-Passwort-123"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run first (stable order otherwise).

    With pytest-xdist (scripts/test) a long test that starts last leaves the other cores idle until
    it ends; started first, the many short tests fill the other cores meanwhile.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no server
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_url():
    problem = _postgres_available()
    if problem:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"ds_test_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    if request.param == "sqlite":
        return request.param, f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return request.param, request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def _app(backend, tmp_path_factory):
    _name, url = backend
    instance = tmp_path_factory.mktemp("instance")
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(instance / "up")})
    application.instance_path = str(instance)
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.create_all()
        from app.reference.services import load_programme, load_reference_data

        load_programme(application.config["PROGRAMME_FILE"])
        load_reference_data()
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production.

    The ``app`` fixture keeps an app context pushed for the test body; Flask would reuse it for
    requests, sharing ``g`` (Flask-Login's cached user, Flask-WTF's CSRF token) and the database
    session between requests. This client commits the test's own session first (so it holds no
    lock or stale snapshot while the request runs), hides the outer context during the request,
    and expires the test's session afterwards, so assertions read what the request committed.
    Streamed answers (exports) are read to the end inside the request (``buffered``), while the outer
    context is still hidden, as a server would read them.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        outer = _cv_app.get(None)
        if outer is not None:
            db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if outer is not None:
                db.session.expire_all()


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture()
def app(_app):
    with _app.app_context():
        yield _app
        db.session.rollback()
        clock.set_frozen(None)
        _app.config["FAKE_TODAY"] = None
        _empty_tables()
        db.session.remove()


@pytest.fixture()
def engine_name(app) -> str:
    return db.engine.dialect.name


@pytest.fixture()
def client(app):
    return PageClient(app.test_client())


@pytest.fixture()
def make_user(app):
    """``make_user("kommune", kommune_ags="05315")`` -> a committed User with password PASSWORD."""
    from app.auth.services import create_user
    from app.reference.models import Organisation

    counter = iter(range(1, 10_000))

    def factory(role: str, *, kommune_ags: str | None = None, organisation: Organisation | None = None,
                email: str | None = None):
        n = next(counter)
        if role == "organisation" and organisation is None:
            organisation = Organisation(name=f"Testträger {n} {secrets.token_hex(2)}", kind="club")
            db.session.add(organisation)
            db.session.flush()
        if role == "kommune" and kommune_ags is None:
            kommune_ags = "05315"
        user = create_user(email=email or f"{role}{n}@test.nrw", name=f"Test {role} {n}", password=PASSWORD,
                           role=role, kommune_ags=kommune_ags,
                           organisation_id=organisation.id if organisation else None, actor_label="test")
        db.session.commit()
        return user

    return factory


@pytest.fixture()
def api(app, make_user):
    """``api(user)`` -> a JSON client that sends the user's Bearer token."""
    from app.auth.services import create_token

    def factory(user):
        _token, secret = create_token(user, "test")
        db.session.commit()
        return ApiClient(app.test_client(), secret)

    return factory


class ApiClient:
    def __init__(self, client, secret: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def _call(self, method: str, url: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, url, **kw):
        return self._call("get", url, **kw)

    def post(self, url, **kw):
        return self._call("post", url, **kw)

    def put(self, url, **kw):
        return self._call("put", url, **kw)

    def patch(self, url, **kw):
        return self._call("patch", url, **kw)

    def delete(self, url, **kw):
        return self._call("delete", url, **kw)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PageClient:
    """A browser-like test client: logs in through the form and sends the CSRF token with posts."""

    def __init__(self, client) -> None:
        self.client = client
        self._csrf: str | None = None

    def login(self, user, password: str = PASSWORD):
        page = self.client.get("/anmelden")
        token = _CSRF.search(page.get_data(as_text=True)).group(1)
        response = self.client.post("/anmelden", data={"email": user.email, "password": password,
                                                       "csrf_token": token})
        self._csrf = None
        return response

    def csrf(self) -> str:
        if self._csrf is None:
            page = self.client.get("/konto/tokens")
            self._csrf = _CSRF.search(page.get_data(as_text=True)).group(1)
        return self._csrf

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, **kw)
