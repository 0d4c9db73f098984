"""The scheduler process (``durchstarten scheduler``): one per deployment, never in web workers.

* The main thread owns the lease (``lease.py``): standby → poll every 5 s; leader → renew every
  10 s. Only while it leads does the process run an APScheduler ``BackgroundScheduler`` whose jobs
  live in the application database (``SQLAlchemyJobStore``, table ``apscheduler_jobs``, each job
  the string reference ``app.scheduler.runner:scheduled_entry`` with the job name as argument).
  A standby process never touches the job store (a second scheduler reading it would advance the
  next run times and so "use up" slots it does not run).
* When the lease cannot be renewed, the scheduler stops at once and the process goes back to
  standby. Before each job the runner checks the lease again; the UNIQUE (job_name, due_key) of
  ``job_runs`` is the final guard.
* ``SlotExecutor`` hands APScheduler's scheduled run time to the job, so the due key is the
  slot, not the moment a thread got to it: both processes compute the same key for a slot.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from ..platform import clock
from ..platform import jobs as registry
from ..platform.extensions import db
from . import lease, runner

log = logging.getLogger("durchstarten.scheduler")
ENTRY = "app.scheduler.runner:scheduled_entry"
JOBSTORE_TABLE = "apscheduler_jobs"


class _SlotJob:
    """A view of an APScheduler job that passes one scheduled run time to the function."""

    def __init__(self, job, run_time) -> None:
        self._job = job
        self.kwargs = {**job.kwargs, "scheduled_for": run_time.isoformat()}

    def __getattr__(self, name):
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class SlotExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, but each run gets ``scheduled_for=<its slot>``, and a slot that
    falls due while the job still runs (e.g. while a new leader catches up on missed slots) is queued
    behind the running batch instead of being dropped ("maximum number of running instances")."""

    def __init__(self, max_workers=10, pool_kwargs=None):
        super().__init__(max_workers, pool_kwargs)
        self._pending: dict[str, list] = {}

    def submit_job(self, job, run_times):
        with self._lock:
            if self._instances[job.id] >= job.max_instances:
                self._pending.setdefault(job.id, []).extend(run_times)
                return
            self._do_submit_job(job, run_times)
            self._instances[job.id] += 1

    def _do_submit_job(self, job, run_times):
        self._pool.submit(self._drain, job, list(run_times))

    def _drain(self, job, run_times) -> None:
        events, finished = [], False
        try:
            while run_times:
                for run_time in run_times:
                    events.extend(run_job(_SlotJob(job, run_time), job._jobstore_alias, [run_time],
                                          self._logger.name))
                with self._lock:
                    run_times = self._pending.pop(job.id, [])
                    if not run_times:
                        self._release(job.id)
                        finished = True
        except BaseException:  # noqa: BLE001 - run_job catches job errors; this is the executor's own
            self._logger.exception("executor failure for job %s", job.id)
        finally:
            if not finished:
                with self._lock:
                    self._release(job.id)
        for event in events:
            self._scheduler._dispatch_event(event)

    def _release(self, job_id: str) -> None:
        self._instances[job_id] -= 1
        if self._instances[job_id] <= 0:
            del self._instances[job_id]


def new_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]


def build_scheduler(app) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE)},
        executors={"default": SlotExecutor(max_workers=int(app.config.get("SCHEDULER_WORKERS", 4)))},
        job_defaults={"max_instances": 1},
        timezone=clock.BERLIN,
    )
    return scheduler


def sync_jobs(scheduler, app) -> dict:
    """Make the job store match the registry. A job whose trigger is unchanged is kept as it is, so
    slots missed while no process led (next_run_time in the past) are still run after a takeover."""
    wanted = {spec.name: spec for spec in registry.all_jobs()}
    added, kept, removed = [], [], []
    for stored in scheduler.get_jobs():
        if stored.id not in wanted:
            scheduler.remove_job(stored.id)
            removed.append(stored.id)
    for name, spec in wanted.items():
        trigger = spec.build_trigger(app.config)
        stored = scheduler.get_job(name)
        if (stored is not None and str(stored.trigger) == str(trigger) and stored.func_ref == ENTRY
                and stored.coalesce == spec.coalesce and stored.misfire_grace_time == spec.misfire_grace_time):
            kept.append(name)
            continue
        scheduler.add_job(ENTRY, trigger=trigger, args=[name], id=name, name=name, replace_existing=True,
                          coalesce=spec.coalesce, misfire_grace_time=spec.misfire_grace_time, max_instances=1)
        added.append(name)
    return {"added": added, "kept": kept, "removed": removed}


def serve(app, holder: str | None = None, stop: threading.Event | None = None, install_signals: bool = True) -> None:
    """Run until SIGTERM/SIGINT (or ``stop`` is set): wait for the lease, lead while holding it."""
    holder = holder or new_holder_id()
    stop = stop or threading.Event()
    config = app.config
    renew = float(config.get("SCHEDULER_RENEW_SECONDS", lease.RENEW_SECONDS))
    poll = float(config.get("SCHEDULER_STANDBY_POLL_SECONDS", lease.STANDBY_POLL_SECONDS))
    if install_signals:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    runner.set_process(app, holder)
    log.warning("scheduler %s started (standby until it holds the lease)", holder)
    with app.app_context():
        while not stop.is_set():
            try:
                leader = lease.acquire(holder)
            except Exception:  # noqa: BLE001 - database unreachable: stay standby, try again
                log.exception("lease check failed")
                leader = False
            if leader:
                _lead(app, holder, renew, stop)
            else:
                stop.wait(poll)
        try:
            lease.release(holder)
        except Exception:  # noqa: BLE001
            log.exception("could not release the lease")
    log.warning("scheduler %s stopped", holder)


def _lead(app, holder: str, renew: float, stop: threading.Event) -> None:
    log.warning("scheduler %s is the leader", holder)
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        changes = sync_jobs(scheduler, app)
        log.warning("jobs synchronised: %s", changes)
        scheduler.resume()
        last_renewal = clock.now()
        while not stop.wait(renew):
            try:
                if not lease.acquire(holder):
                    log.error("scheduler %s lost the lease; stopping its jobs", holder)
                    return
                last_renewal = clock.now()
            except Exception:  # noqa: BLE001 - keep leading only while the lease is surely ours
                log.exception("lease renewal failed")
                if (clock.now() - last_renewal).total_seconds() >= lease.lease_seconds() - renew:
                    log.error("scheduler %s cannot prove its lease; stopping its jobs", holder)
                    return
    finally:
        scheduler.shutdown(wait=False)
