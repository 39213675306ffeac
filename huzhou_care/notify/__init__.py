"""In-app notifications, e-mail and a pluggable SMS channel (built with the reminders issue)."""
