"""The job registry: domains declare jobs with ``@job(...)`` in their ``jobs.py``.

```python
from app.platform.jobs import job

@job("budgets.verify_ledger", trigger="cron", hour=2, minute=0,
     description="Hauptbuch nachts prüfen und Abweichungen melden")
def verify_ledger(run) -> dict:          # run: app.scheduler.runner.RunContext
    ...                                  # change rows, queue messages, flush - never commit
    return {"checked": 12, "differences": 0}
```

* ``trigger`` is ``"cron"`` (APScheduler CronTrigger fields: ``day_of_week``, ``hour``, ``minute`` ...,
  in Europe/Berlin) or ``"interval"`` (``seconds``/``minutes``/``hours``, aligned to 2020-01-01 UTC so
  every process computes the same slots).
* ``key`` says what "once" means: ``"day"`` (default for cron: once per Berlin calendar day) or
  ``"slot"`` (default for interval: once per scheduled time).
* The config dict ``SCHEDULER_SCHEDULES = {"name": {"trigger": "interval", "seconds": 2}}`` overrides a
  schedule without a code change.

Domains declare their jobs here; ``create_app`` imports every domain's ``jobs`` module, so the registry
is complete in every process that built the application (web, scheduler, CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .clock import BERLIN

INTERVAL_ORIGIN = datetime(2020, 1, 1, tzinfo=UTC)
_CRON_FIELDS = {"year", "month", "day", "week", "day_of_week", "hour", "minute", "second"}
_INTERVAL_FIELDS = {"weeks", "days", "hours", "minutes", "seconds"}


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., dict | None]
    trigger: str
    trigger_args: dict[str, Any]
    description: str
    key: str  # "day" | "slot"
    coalesce: bool = True
    misfire_grace_time: int = 6 * 3600
    notify_failures: bool = True
    own_transactions: bool = False

    @property
    def ref(self) -> str:
        """The "module:function" reference of the job's own function (for docs and listings)."""
        return f"{self.func.__module__}:{self.func.__qualname__}"

    def schedule(self, config: dict | None = None) -> tuple[str, dict[str, Any]]:
        override = ((config or {}).get("SCHEDULER_SCHEDULES") or {}).get(self.name)
        if override:
            args = dict(override)
            return args.pop("trigger", self.trigger), args
        return self.trigger, dict(self.trigger_args)

    def build_trigger(self, config: dict | None = None) -> BaseTrigger:
        kind, args = self.schedule(config)
        if kind == "cron":
            return CronTrigger(timezone=BERLIN, **args)
        return IntervalTrigger(timezone=BERLIN, start_date=INTERVAL_ORIGIN, **args)

    def describe_schedule(self, config: dict | None = None) -> str:
        """German text for pages: "täglich 02:00", "alle 60 Sekunden"."""
        kind, args = self.schedule(config)
        if kind == "interval":
            seconds = (args.get("weeks", 0) * 604800 + args.get("days", 0) * 86400 + args.get("hours", 0) * 3600
                       + args.get("minutes", 0) * 60 + args.get("seconds", 0))
            if seconds % 3600 == 0:
                return f"alle {seconds // 3600} Stunden" if seconds != 3600 else "stündlich"
            if seconds % 60 == 0:
                return f"alle {seconds // 60} Minuten" if seconds != 60 else "jede Minute"
            return f"alle {seconds} Sekunden"
        parts = [f"{k}={v}" for k, v in args.items() if k not in ("hour", "minute")]
        hour, minute = args.get("hour"), args.get("minute", 0)
        if hour is not None and str(hour).isdigit() and str(minute).isdigit():
            text = f"täglich {int(hour):02d}:{int(minute):02d} Uhr"
        else:
            text = f"cron hour={hour} minute={minute}"
        return text + (f" ({', '.join(parts)})" if parts else "")

    def due_key(self, moment: datetime, day: date, trigger: str) -> str:
        """What "once" means for this job: the business day, or the scheduled slot (UTC, seconds)."""
        if self.key == "day":
            return day.isoformat()
        slot = moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        return slot if trigger == "schedule" else f"{trigger}:{slot}"


_JOBS: dict[str, JobSpec] = {}


def job(name: str, *, trigger: str = "cron", description: str, key: str | None = None, coalesce: bool = True,
        misfire_grace_time: int | None = None, notify_failures: bool = True, own_transactions: bool = False,
        **trigger_args) -> Callable:
    """Register ``fn(run) -> summary dict`` as a scheduled job named ``name`` ("domain.what").

    ``own_transactions=True`` is for jobs that guard each step themselves and must commit between
    steps (e-mail delivery: claim, send, record). Their run row is written after the work.
    """
    if trigger not in ("cron", "interval"):
        raise ValueError(f"job {name!r}: trigger must be 'cron' or 'interval'")
    allowed = _CRON_FIELDS if trigger == "cron" else _INTERVAL_FIELDS
    unknown = set(trigger_args) - allowed
    if unknown:
        raise ValueError(f"job {name!r}: unknown {trigger} fields {sorted(unknown)}")
    key = key or ("day" if trigger == "cron" else "slot")
    if key not in ("day", "slot"):
        raise ValueError(f"job {name!r}: key must be 'day' or 'slot'")
    if misfire_grace_time is None:
        misfire_grace_time = 6 * 3600 if trigger == "cron" else 50

    def register(func: Callable) -> Callable:
        if name in _JOBS and _JOBS[name].func is not func:
            raise ValueError(f"job {name!r} registered twice")
        _JOBS[name] = JobSpec(name=name, func=func, trigger=trigger, trigger_args=trigger_args,
                              description=description, key=key, coalesce=coalesce,
                              misfire_grace_time=misfire_grace_time, notify_failures=notify_failures,
                              own_transactions=own_transactions)
        return func

    return register


def all_jobs() -> list[JobSpec]:
    return [_JOBS[name] for name in sorted(_JOBS)]


def get(name: str) -> JobSpec | None:
    return _JOBS.get(name)


def unregister(name: str) -> None:
    """Remove a job (tests register throw-away jobs)."""
    _JOBS.pop(name, None)
