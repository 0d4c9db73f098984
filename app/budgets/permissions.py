"""Budget actions and the roles that may fire them (Kommune/organisation users: own grants only)."""

from ..auth.models import Role
from ..auth.permissions import STAFF, declare

RECIPIENTS = {Role.KOMMUNE, Role.ORGANISATION}

BUDGET_READ = declare("budgets.read", RECIPIENTS | STAFF, "Budgets, Mittelabrufe und Ausgaben lesen (eigene)")
STATUS_ALL = declare("budgets.status_all", STAFF, "Landesweiter Budgetstand, Abgleich, Exporte")
DRAWDOWN_REQUEST = declare("budgets.drawdown.request", RECIPIENTS, "Mittel abrufen, Abruf zurückziehen")
DRAWDOWN_DECIDE = declare("budgets.drawdown.decide", {Role.FINANCE}, "Mittelabrufe genehmigen, ablehnen, auszahlen")
DRAWDOWN_CONTEXT = declare("budgets.drawdown.context", {Role.FINANCE, Role.PROGRAMME_ADMIN},
                           "Beim Mittelabruf Kontostand und frühere Abrufe des Empfängers sehen")
EXPENSE_RECORD = declare("budgets.expense.record", RECIPIENTS, "Ausgaben erfassen und importieren")
EXPENSE_REVERSE = declare("budgets.expense.reverse", RECIPIENTS,
                          "Eigene Ausgaben und Importe stornieren (bis zum Verwendungsnachweis)")
PROOF_SUBMIT = declare("budgets.proof.submit", RECIPIENTS, "Verwendungsnachweis einreichen")
HEARING_COMMENT = declare("budgets.hearing.comment", RECIPIENTS,
                          "Zur Anhörung vor dem Schlussbescheid Stellung nehmen (eigene Zuwendungen)")
PROOF_CHECK = declare("budgets.proof.check", {Role.PROGRAMME_ADMIN},
                      "Verwendungsnachweis prüfen, Ausgaben aberkennen, Schlussbescheid erlassen")
REPAYMENT_RECORD = declare("budgets.repayment.record", {Role.FINANCE}, "Rückzahlungen buchen")
LEDGER_CHECK = declare("budgets.ledger.check", {Role.FINANCE, Role.PROGRAMME_ADMIN}, "Ledger-Abgleich protokollieren")
