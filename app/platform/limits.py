"""Every length limit of free text and every numeric bound, declared once.

Schemas (API and forms, through ``app.platform.fields.text``), services and templates (``maxlength``)
use these names, never a bare number.
"""

CODE = 40  # codes, voucher numbers, short keys
NAME = 200  # names, titles, references, e-mail addresses
PHONE = 60  # telephone numbers
REASON = 2000  # reasons, comments, short justifications
SUMMARY = 5000  # summaries, reviews
DESCRIPTION = 20000  # long descriptions and reports

IDEMPOTENCY_KEY = 200  # an API client's Idempotency-Key
MODULE_CODE = 10  # a funding module's code (F1 … F5)
RATE_CODE = 20  # a flat rate's code (Pauschale)
PAYMENT_REFERENCE = 80  # Kassenzeichen, payment references, voucher numbers
PURPOSE = 1000  # a drawdown's purpose and the reason of its decision
EXPENSE_DESCRIPTION = 300  # one expense line's description
STATEMENT = 500  # the reason of a Storno or of an Aberkennung

MAX_ID = 2**31 - 1  # the largest id a URL or an API body may name (PostgreSQL integer)

# Accounts, audit trail and jobs (the columns use the same names).
PASSWORD = 200  # a password as typed
TOKEN_NAME = 100  # an API token's name
TOKEN_DAYS = 3650  # the longest validity of an API token, in days
AUDIT_ACTION = 80  # an audit entry's action code
AUDIT_OBJECT = 60  # an audit entry's object type and object id
JOB_NAME = 100  # a registered job's name
EXPORT_URL = 2000  # the path and query of an export built in the background
EXPORT_TOKEN = 4000  # the signed token naming such an export (URL, file name, rows, user)
CORRECTION_REASON = 1000  # the reason of a Berichtigung (§ 42 VwVfG), printed in the letter
