"""Modal screens of the dashboard: message detail, window picker, export, help."""
