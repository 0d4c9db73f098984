"""The foundation's own start-page panel: who you are and what you may do."""

from ..auth.models import Role
from .dashboard import Panel, panel


@panel(order=1000)
def account_panel(user):
    return Panel(title="Ihr Konto", template="main/_panel_account.html",
                 data={"user": user, "is_reader": user.role == Role.AUDITOR})
