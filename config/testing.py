"""Test settings: CSRF stays on (tests fetch tokens like a browser); fast password hashing."""

TESTING = True
SECRET_KEY = "test-secret"  # noqa: S105 - tests only
ARGON2_FAST = True
