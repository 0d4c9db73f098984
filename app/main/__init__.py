"""Start pages, health checks and the language switch."""
