"""Report layer: everything a reader sees, rendered from the domain models.

Formatting and HTML fragments (autoescaped), charts, masking, the sections of each report, and
the files staff act on (xlsx work lists, the visit calendar)."""
