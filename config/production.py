"""Production settings: secure cookies; SECRET_KEY and DATABASE_URL must come from the environment."""

SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
HSTS = True
REQUIRE_SECRET_KEY = True
