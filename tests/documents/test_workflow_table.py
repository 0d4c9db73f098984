"""The document workflow (app/documents/workflow.py) as a (status, action, role) table."""

from types import SimpleNamespace

import pytest

from app.auth.models import Role
from app.documents.workflow import DOCUMENT
from app.platform.errors import Forbidden, InvalidTransition


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("status", ["current", "superseded"])
def test_only_the_programme_administration_corrects_and_only_a_current_document(status, role):
    actor = SimpleNamespace(role=role)
    if role != Role.PROGRAMME_ADMIN:
        with pytest.raises(Forbidden):  # a role that never corrects learns nothing about the state
            DOCUMENT.check(status, "correct", actor)
        assert DOCUMENT.allowed_actions(status, actor) == []
    elif status == "superseded":
        with pytest.raises(InvalidTransition):
            DOCUMENT.check(status, "correct", actor)
        assert DOCUMENT.allowed_actions(status, actor) == []
    else:
        assert DOCUMENT.check(status, "correct", actor) == "superseded"
        assert DOCUMENT.allowed_actions(status, actor) == ["correct"]
