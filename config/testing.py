"""Test settings: CSRF stays on (tests fetch tokens like a browser); fast password hashing."""

TESTING = True
SECRET_KEY = "test-secret"  # noqa: S105 - tests only
ARGON2_FAST = True
# Rendering PDFs in every grants/budgets test would slow the suite; tests/documents switch it on.
ISSUE_DOCUMENTS = False
