"""Default settings: work out of the box with an embedded SQLite file under ``instance/``.

Every setting can be overridden by an environment variable of the same name (see
``app.config_loader``); ``DATABASE_URL`` sets ``SQLALCHEMY_DATABASE_URI``.
"""

SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - production refuses to start with this value
SQLALCHEMY_DATABASE_URI = None  # None = sqlite file instance/durchstarten.db
# pool_pre_ping: a pooled connection that died (database restarted while the service was idle) is
# replaced at checkout instead of failing the next request (bench/fault_db_restart.py --quiet-outage).
SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
PROGRAMME_FILE = "config/programmes/durchstarten.toml"
DEFAULT_PROGRAMME = "durchstarten"

# Clock: an ISO date ("2022-06-15") shows the programme as it was on that day.
FAKE_TODAY = None

# Sessions and cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
PERMANENT_SESSION_LIFETIME = 8 * 3600
WTF_CSRF_TIME_LIMIT = 8 * 3600
WTF_CSRF_CHECK_DEFAULT = False  # checked in create_app for every page request; the API uses tokens

# Login throttling (app/auth/throttling.py): no account lock; per client address, and per typed e-mail
# from that address, the failures past the free ones double the wait before the next attempt.
LOGIN_FREE_FAILURES = 5
LOGIN_ADDRESS_FREE_FAILURES = 20
LOGIN_DELAY_SECONDS = 2
LOGIN_MAX_DELAY_SECONDS = 900
LOGIN_WINDOW_MINUTES = 60
PASSWORD_MIN_LENGTH = 12
PASSWORD_RESET_MINUTES = 30  # a reset link by e-mail is valid this long, once (app/auth/reset.py)

# API
API_TITLE = "Durchstarten – Zuwendungs- und Budgetverwaltung"
API_VERSION = "v1"
OPENAPI_VERSION = "3.0.3"
OPENAPI_URL_PREFIX = "/api"
OPENAPI_JSON_PATH = "openapi.json"

# Reverse proxies in front of the service whose X-Forwarded-For/-Proto/-Host are trusted (0: none).
TRUSTED_PROXIES = 0

# Four eyes (Vier-Augen-Prinzip, VV Nr. 2.2 zu § 70 LHO): who approved a drawdown may not also pay it.
FOUR_EYES_PAYMENTS = True

# Background work (app/platform/background.py, page "Meine Aufträge"): above this many rows an export is built
# by the scheduler (button "im Hintergrund erstellen"); above this many lines an expense CSV is imported by it
# (app/budgets/importing.py). Jobs and their files are kept this long.
EXPORT_BACKGROUND_ROWS = 20_000
IMPORT_BACKGROUND_LINES = 20_000
EXPORT_KEEP_HOURS = 24
EXPORT_STALE_MINUTES = 60  # a job still running after this long (its scheduler died) is marked failed
# The scheduler process runs at this nice value (0–19): its exports and imports take whatever CPU the web
# workers leave, so that pages stay fast while a 200,000-row export is written (bench/README.md, issue #19).
SCHEDULER_NICE = 10

# Lists (app/platform/web/listing.py): a page counts its selection only up to this many rows; above it the
# list says "mehr als 1.000 Einträge" and counts exactly only on request ("Gesamtzahl ermitteln"). 1,000 rows
# are 10-20 pages at 50-100 rows each, further than anyone pages by hand, and counting them costs about a
# millisecond; a grant's ~9,400 expenses at 1M journal lines took 12.6 ms to count in full (issue #19).
LIST_COUNT_CAP = 1_000

# Uploads
MAX_CONTENT_LENGTH = 32 * 1024 * 1024
UPLOAD_FOLDER = None  # None = instance/uploads

# Mail (notifications); None = messages stay in the in-app inbox only
SMTP_HOST = None
SMTP_PORT = 25
MAIL_FROM = "durchstarten@example.invalid"
# The service's public address for links in e-mails and documents, e.g. "https://durchstarten.nrw.de".
# Set it in production (the scheduler's jobs have no request to take it from); None: the request's
# address, or http://127.0.0.1:5000 in jobs and commands (app.notifications.services.public_base_url).
BASE_URL = None

# Binding documents (app/documents): render and store the PDF/A when a decision is taken.
ISSUE_DOCUMENTS = True

BABEL_DEFAULT_LOCALE = "de"
BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
LANGUAGES = ["de", "en"]
