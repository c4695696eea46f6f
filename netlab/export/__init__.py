"""Writers of what a session leaves behind: asciicasts, SVG pictures and Markdown tutorials."""
