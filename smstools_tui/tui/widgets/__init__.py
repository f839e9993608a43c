"""Widgets of the dashboard: the fast table and its view, header, overview."""
