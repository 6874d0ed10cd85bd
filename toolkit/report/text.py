"""Every word a reader sees, in one place: the text layer (zh and en side by side).

Domain rules (toolkit.branch, toolkit.client) return codes and numbers; the report layer turns
them into words here, for the HTML/PDF report, the work lists, the calendar and summary.json's
text fields. The words themselves are data, in the tables `words/*.tsv` beside this module (one
per document: common, branch_plan, branch_actions, proposal, network, portal): one row per text,
`key`, then one column per language (zh, en), so a third language is a third column. A key lives
in exactly one table. Keys are dotted by where they are read (`code.` for the labels of canonical codes such as
tiers, roles and asset columns; `fmt.`, `page.`, `title.`, `plan.`, `proposal.` …), and a text may
hold `{placeholders}` filled by `say(key, language, **values)`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.base.notices import Notice

#: The report languages, in the order of the word table's columns after `key`.
LANGUAGES = ("zh", "en")


def _read_words(path: Path) -> dict[str, tuple[str, ...]]:
    """The word table: a header `key<TAB>zh<TAB>en`, then one row per text (values are taken as
    written: no quoting, leading and trailing spaces kept); `#` comments and blank lines skipped.
    A malformed table is a bug in the package, caught by its tests, so it fails loudly at import."""
    table: dict[str, tuple[str, ...]] = {}
    header: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            if tuple(fields) != ("key", *LANGUAGES):
                raise RuntimeError(f"{path}:{number}: header must be key, {', '.join(LANGUAGES)}")
            continue
        if len(fields) != len(header) or not fields[0] or fields[0] in table:
            raise RuntimeError(f"{path}:{number}: expected a new key and {len(LANGUAGES)} texts: {line!r}")
        table[fields[0]] = tuple(fields[1:])
    return table

def _read_all(folder: Path) -> dict[str, tuple[str, ...]]:
    """Every word table of `folder`, merged; a key defined in two tables fails loudly."""
    merged: dict[str, tuple[str, ...]] = {}
    for path in sorted(folder.glob("*.tsv")):
        table = _read_words(path)
        if twice := sorted(set(table) & set(merged)):
            raise RuntimeError(f"{path}: keys already defined in another word table: {', '.join(twice)}")
        merged.update(table)
    return merged


WORDS: dict[str, tuple[str, ...]] = _read_all(Path(__file__).with_name("words"))


def _column(language: str) -> int:
    """The column of `language` (unknown languages read as Chinese, the default report language)."""
    return LANGUAGES.index(language) if language in LANGUAGES else 0


def say_notice(notice: Any, language: str = "zh") -> str:
    """A domain rule's notice (toolkit.base.notices.Notice) as a sentence in `language`.

    A value that is itself a Notice is said first (a step's label inside a warning); a list or tuple
    of Notices is said item by item and joined with the text of `<key>.sep`, so the separator is a
    word of the language too. Other values fill the placeholders as they are."""
    return say(notice.key, language, **{name: _said(notice.key, value, language)
                                        for name, value in notice.values.items()})


def _said(key: str, value: Any, language: str) -> Any:
    if isinstance(value, Notice):
        return say_notice(value, language)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Notice) for v in value):
        return say(f"{key}.sep", language).join(say_notice(v, language) for v in value)
    return value


def say(key: str, language: str = "zh", /, **values: Any) -> str:
    """The text of `key` in `language`, its `{placeholders}` filled from `values`."""
    text = WORDS[key][_column(language)]
    return text.format(**values) if values else text


def label(code: str, language: str = "zh") -> str:
    """The display label of a canonical code (tier, asset line, role, risk level); the code itself
    when it has none (an unknown extra category is shown as it was given)."""
    entry = WORDS.get(f"code.{code}")
    return entry[_column(language)] if entry else code


def words(prefix: str, language: str = "zh") -> dict[str, str]:
    """Every entry under `prefix.` as {rest of key: text}, e.g. a table's column headers (a new dict
    each call: callers may add to it)."""
    return dict(_words(prefix, _column(language)))


@functools.cache
def _words(prefix: str, col: int) -> tuple[tuple[str, str], ...]:
    """`words` of one prefix and column: the word tables are read-only, and a branch plan asks for
    some prefixes dozens of times (each a pass over every key)."""
    start = f"{prefix}."
    return tuple((key[len(start):], entry[col]) for key, entry in WORDS.items() if key.startswith(start))


def page_labels(language: str = "zh") -> Mapping[str, str]:
    """The words of the page around a report, for toolkit.engine.render."""
    return words("page", language)
