"""A notice: what a domain rule has to tell the reader, as a code and its values, never as words.

Domain rules (toolkit.branch, toolkit.client) return notices for warnings, reasons and advice; the
report layer turns each into a sentence in the report language with
`toolkit.report.text.say(notice.key, language, **notice.values)`. So the same rule serves every
language, and a test can check what was said without parsing a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    """`key` names an entry of the text layer; `values` fill its {placeholders}."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


def notice(key: str, **values: Any) -> Notice:
    """Notice(key, values) written the way it reads: notice("forum.window_passed", start=..., end=...)."""
    return Notice(key, values)
