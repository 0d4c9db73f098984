"""Innovationsfonds (F5) models: ``round`` (calls, criteria, sketches, attachments, conflicts, assignments,
reviews: the classes that refer to each other), ``decisions`` (the outbox, full
applications, project decisions), ``registrations`` (self-registration, invitations). Imported from here.

* Money is integer cents; scores are integers of hundredths (``8333`` = 83.33 points), never floats.
* A ``Call`` carries its rules as data (window, maximum, eligible kinds, target groups, criteria,
  reviewers per sketch, blind names, selection rule, minimum score, discrepancy threshold).
* A sketch's status follows ``workflow.SKETCH``; the Steuerkreis decision is first *staged*
  (``Sketch.staged_outcome`` + ``StagedMessage`` rows, invisible to applicants) and then released in
  one batch (statuses change, messages are queued).
* The money of a funded project lives in ``app.budgets`` (``Grant`` with source ``if-project:<id>``).
"""


from .decisions import (
    FULL_APPLICATION_STATUS_LABELS,
    FullApplication,
    FullApplicationStatus,
    ProjectDecision,
    StagedMessage,
)
from .registrations import Invitation, OrganisationRegistration
from .round import (
    PASSED_ELIGIBILITY,
    PROMOTION_DAYS_DEFAULT,
    SELECTION_RULE_LABELS,
    STATUS_LABELS,
    TARGET_GROUPS,
    Assignment,
    Attachment,
    Call,
    Criterion,
    Review,
    ReviewerConflict,
    ReviewRevision,
    SelectionRule,
    Sketch,
    SketchStatus,
    hundredths,
    points,
    sketch_reference,
)

__all__ = [
    "Assignment", "Attachment", "Call", "Criterion", "FULL_APPLICATION_STATUS_LABELS", "FullApplication",
    "FullApplicationStatus", "Invitation", "OrganisationRegistration", "PASSED_ELIGIBILITY",
    "PROMOTION_DAYS_DEFAULT", "ProjectDecision", "Review", "ReviewRevision", "ReviewerConflict",
    "SELECTION_RULE_LABELS", "STATUS_LABELS", "SelectionRule", "Sketch", "SketchStatus", "StagedMessage",
    "TARGET_GROUPS", "hundredths", "points", "sketch_reference",
]
