"""The terminal UI (Textual): a view over the core's event log."""
