"""Notifications: an outbox of German messages, shown in each user's inbox and mailed when SMTP is set."""
