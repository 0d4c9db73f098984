from ..auth.permissions import ALL_ROLES, declare

INBOX = declare("notifications.inbox", ALL_ROLES, "Eigene Nachrichten lesen")
