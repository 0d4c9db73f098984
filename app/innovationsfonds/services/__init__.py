"""Innovationsfonds use cases, one module per aggregate: ``calls`` (set-up, rules, field locks),
``sketches`` (drafts, submission window, withdrawal, PDF attachments), ``eligibility`` (the call's
rules, the closing job, the administrator's decision). What every use case of the domain needs (loading
with the access rules, the audit entry, notices to the administrators) is ``app.innovationsfonds.access``;
reviewing, selection and projects import only that, so no module or package imports one that imports it
back.

Each state change loads its object (with a row lock where it checks a limit), checks access
(another organisation's sketch, an unassigned or conflicted reviewer: 404), asks
``workflow.SKETCH.check`` (403/409), changes rows, writes an audit entry and flushes; the edge commits.
"""
