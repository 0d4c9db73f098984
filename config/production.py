"""Production settings: secure cookies; SECRET_KEY and DATABASE_URL must come from the environment."""

SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
HSTS = True
TRUSTED_PROXIES = 1  # behind one TLS-terminating proxy (README): its X-Forwarded-Proto makes requests secure
REQUIRE_SECRET_KEY = True
