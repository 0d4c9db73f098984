"""Reminder kinds declared next to the jobs are known to a web process that never read the job registry
(else the preferences page could not offer to switch them off). Runs in a fresh interpreter, because
in the test process some other test may already have imported the jobs modules."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json
from app import create_app
from app.notifications.kinds import KINDS
create_app("testing")
print(json.dumps(sorted(KINDS)))
"""


def test_kinds_declared_in_jobs_modules_are_registered_by_create_app():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    kinds = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {"budgets.last_expense_date", "grants.draft_reminder"} <= kinds, kinds
