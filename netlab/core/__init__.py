"""The core of netlab: no textual, no rich (DESIGN §1.4)."""
