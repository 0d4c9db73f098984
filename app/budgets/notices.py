"""What the recipient of a grant is told when its money moves: drawdown decisions and payments, the final
decision, the final payment and the reclaim. Always in the recipient's inbox; by e-mail as each user chose
(the settlement notices are mandatory). Texts are German (binding texts, docs/ui.md)."""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..notifications.kinds import declare_kind
from ..notifications.services import remind, users_with_role
from .models import Grant

DRAWDOWN_DECISION = declare_kind(
    "budgets.drawdown_decision", lazy_gettext("Mittelabruf: genehmigt, gekürzt, abgelehnt oder ausgezahlt"),
    roles={"kommune", "organisation"},
    description=lazy_gettext("Wenn die Finanzabteilung über einen Mittelabruf entscheidet oder ihn auszahlt."))
SETTLEMENT = declare_kind(
    "budgets.settlement", lazy_gettext("Schlussbescheid, Schlusszahlung und Rückforderung"),
    roles={"kommune", "organisation"}, mandatory=True,
    description=lazy_gettext("Schlussbescheid mit festgesetzter Zuwendung, Restzahlung oder Rückforderung mit "
                             "Betrag und Zahlungsfrist (nicht abschaltbar)."))


def recipients(grant: Grant) -> list:
    """The active users of the grant's recipient (its Kommune or its organisation), nobody else."""
    if grant.kommune_id is not None:
        return users_with_role("kommune", kommune_id=grant.kommune_id)
    if grant.organisation_id is not None:
        return users_with_role("organisation", organisation_id=grant.organisation_id)
    return []


def tell_recipient(grant: Grant, kind: str, *, subject: str, lines: list[str], link: str, dedup_key: str) -> int:
    """Queue one notice per user of the recipient (once per ``dedup_key``); returns how many were queued."""
    return len(remind(recipients(grant), kind, "emails/notice.txt", subject=subject, link=link, dedup_key=dedup_key,
                      lines=lines))
