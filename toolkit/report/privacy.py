"""Masking of personal data in branch-level outputs (CONTRACT §7).

Names become 张*三 / 王*, phones 138****5678. Vectorised over a Series, because a branch plan
masks thousands of rows and a network table many more.
"""

from __future__ import annotations

import pandas as pd


def mask_name(name: object) -> object:
    """张三丰 -> 张*丰, 王五 -> 王*, a single character stays; blanks stay blank."""
    if name is None or (isinstance(name, float) and pd.isna(name)) or name is pd.NA:
        return name
    text = str(name).strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_phone(phone: object) -> object:
    """13812345678 -> 138****5678; anything shorter than 7 digits is masked whole."""
    if phone is None or (isinstance(phone, float) and pd.isna(phone)) or phone is pd.NA:
        return phone
    text = str(phone).strip()
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def _stars(index: pd.Index, counts: pd.Series) -> pd.Series:
    return pd.Series("*", index=index, dtype="string").str.repeat(counts.clip(lower=0).astype(int).tolist())


def mask_names(names: pd.Series) -> pd.Series:
    """Vectorised `mask_name`."""
    s = names.astype("string").str.strip()
    n = s.str.len().fillna(0).astype(int)
    first, last = s.str[0], s.str[-1]
    out = (first + _stars(s.index, n - 2) + last).where(n > 2, (first + "*").where(n == 2, s))
    return out.astype(object).where(names.notna(), names)


def mask_phones(phones: pd.Series) -> pd.Series:
    """Vectorised `mask_phone`."""
    s = phones.astype("string").str.strip()
    n = s.str.len().fillna(0).astype(int)
    out = (s.str[:3] + _stars(s.index, n - 7) + s.str[-4:]).where(n >= 7, _stars(s.index, n))
    return out.astype(object).where(phones.notna(), phones)


def mask_frame(df: pd.DataFrame, names: tuple[str, ...] = ("name",),
               phones: tuple[str, ...] = ("phone",)) -> pd.DataFrame:
    """A copy with the given name and phone columns masked (missing columns are skipped)."""
    out = df.copy()
    for col in names:
        if col in out:
            out[col] = mask_names(out[col])
    for col in phones:
        if col in out:
            out[col] = mask_phones(out[col])
    return out
