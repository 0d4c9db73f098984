"""API schemas of the jobs page."""

from marshmallow import Schema, fields, validate

from ..platform import limits
from ..platform.fields import text


class JobRunOut(Schema):
    id = fields.Int()
    job_name = fields.Str()
    due_key = fields.Str()
    status = fields.Str(metadata={"description": "ok | failed"})
    trigger = fields.Str(metadata={"description": "schedule | manual | cli"})
    attempts = fields.Int()
    scheduled_for = fields.DateTime(allow_none=True)
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    duration_ms = fields.Int(allow_none=True)
    summary = fields.Dict(allow_none=True)
    error = fields.Str(allow_none=True)
    actor_label = fields.Str()
    holder = fields.Str(allow_none=True)


class JobOut(Schema):
    name = fields.Str()
    description = fields.Str()
    schedule = fields.Str(metadata={"description": "German text, e.g. 'täglich 02:00 Uhr'"})
    trigger = fields.Str(metadata={"description": "cron | interval"})
    trigger_args = fields.Dict()
    key = fields.Str(metadata={"description": "day = once per day; slot = once per scheduled time"})
    status = fields.Str(metadata={"description": "status of the last run: ok | failed | never"})
    last_run = fields.Nested(JobRunOut, allow_none=True)
    last_failure = fields.Nested(JobRunOut, allow_none=True)
    failures_7d = fields.Int()
    next_run = fields.DateTime(allow_none=True)
    next_run_source = fields.Str(metadata={"description": "scheduler (job store) | computed (no scheduler yet)"})


class RunFilter(Schema):
    job = text(limits.JOB_NAME)
    status = fields.Str(validate=validate.OneOf(["ok", "failed"]))


class RunOutcomeOut(Schema):
    job = fields.Str()
    due_key = fields.Str()
    status = fields.Str(metadata={"description": "ok | failed | already_done"})
    summary = fields.Dict(allow_none=True)
    error = fields.Str(allow_none=True)
    run_id = fields.Int(allow_none=True)
