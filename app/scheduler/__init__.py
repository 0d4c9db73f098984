"""Scheduler: a job registry, exactly-once job runs, a leased scheduler process and the jobs page.

Domains add jobs in their own ``jobs.py`` with ``@job(...)`` (see ``registry``); docs/scheduler.md.
"""
