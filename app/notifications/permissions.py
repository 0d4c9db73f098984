from ..auth.permissions import ALL_ROLES, declare

INBOX = declare("notifications.inbox", ALL_ROLES, "Eigene Nachrichten lesen")
PREFERENCES = declare("notifications.preferences", ALL_ROLES, "Eigene Benachrichtigungen einstellen")
