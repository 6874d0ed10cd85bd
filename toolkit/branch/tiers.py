"""Scope and tier of every client at any snapshot (CONTRACT §2).

Everything here is a column-wise numpy computation, because the same code classifies one branch
in a notebook and a million-client network for the province comparison. All thresholds come
from `settings.Thresholds`, so a bank with other bands only changes its params file.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd

from toolkit.base.schema import ASSET_COLUMNS, PRODUCT_LINES, TIERS
from toolkit.base.settings import Thresholds

#: Codes of the tier Categorical equal the rank, because TIERS is in rank order.
TIER_DTYPE = pd.CategoricalDtype(list(TIERS), ordered=True)
_CODE = {t: i for i, t in enumerate(TIERS)}
#: Card level codes per client: a frame's column, or a Categorical / array built from other data.
CardLevels = pd.Series | pd.Categorical | np.ndarray


def aum(df: pd.DataFrame) -> pd.Series:
    """Personal financial assets (个人金融资产): the eight asset columns summed, a missing one as 0."""
    total = np.zeros(len(df), dtype="float64")
    for col in ASSET_COLUMNS:
        total += df[col].to_numpy(dtype="float64", na_value=0.0)
    return pd.Series(total, index=df.index, name="aum")


def products_held(df: pd.DataFrame) -> pd.Series:
    """How many of the ten product lines (assets, card spend, loans) hold a value > 0."""
    count = np.zeros(len(df), dtype="int64")
    for col in PRODUCT_LINES:
        count += df[col].to_numpy(dtype="float64", na_value=np.nan) > 0  # missing (NaN) compares False
    return pd.Series(count, index=df.index, name="products_held")


#: Days 1900-01-01 … 2200-12-31 (the years `inputs.cells.parse_date` accepts): their year and
#: month*100+day are looked up, 4x faster than pandas' field accessors over a million birth dates.
_FIRST_DAY = np.datetime64("1900-01-01", "D")


@cache
def _calendar() -> tuple[np.ndarray, np.ndarray]:
    days = pd.date_range(_FIRST_DAY, "2200-12-31", freq="D")
    return days.year.to_numpy(dtype="int64"), (days.month * 100 + days.day).to_numpy(dtype="int64")


def _md_and_year(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Year and month*100+day of datetime64 values (NaT rows give an arbitrary value that callers mask)."""
    unknown = np.isnat(values)
    offset = values.astype("datetime64[D]") - _FIRST_DAY
    offset = np.where(unknown, 0, offset.view("int64"))
    years, month_days = _calendar()
    if len(offset) and (offset.min() < 0 or offset.max() >= len(years)):  # beyond the table: pandas
        idx = pd.DatetimeIndex(np.where(unknown, np.datetime64("2000-01-01", "ns"), values))
        return (idx.year.to_numpy(dtype="int64"),
                idx.month.to_numpy(dtype="int64") * 100 + idx.day.to_numpy(dtype="int64"))
    return years[offset], month_days[offset]


def _datetimes(values: pd.Series | dt.date | pd.Timestamp | np.datetime64, n: int) -> np.ndarray:
    if isinstance(values, pd.Series):
        return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    return np.full(n, np.datetime64(pd.Timestamp(values), "ns"))


def age_at(birth: pd.Series, at: pd.Series | dt.date | pd.Timestamp) -> pd.Series:
    """Age in whole years at `at` (a date, or a Series aligned with `birth`); NA when unknown.

    A birthday counts from its calendar day: someone born on 29 February turns a year older on
    1 March in common years, as the (month, day) comparison gives.
    """
    born = _datetimes(birth, len(birth))
    when = _datetimes(at, len(birth))
    unknown = np.isnat(born) | np.isnat(when)
    born_year, born_md = _md_and_year(born)
    if len(when) and not np.isnat(when[0]) and (when == when[0]).all():  # one snapshot: one date to split
        when_year, when_md = (v[0] for v in _md_and_year(when[:1]))
    else:
        when_year, when_md = _md_and_year(when)
    years = np.where(unknown, 0, when_year - born_year - (when_md < born_md))
    return pd.Series(pd.arrays.IntegerArray(years, unknown), index=birth.index, name="age")


def in_scope(df: pd.DataFrame, thresholds: Thresholds, client_aum: pd.Series | None = None) -> pd.Series:
    """维护对象: any one of AUM, card spend, loan balance, custody margin or card level qualifies."""
    total = aum(df) if client_aum is None else client_aum
    ok = _eligible(total.to_numpy(), *_scope_columns(df), thresholds)
    return pd.Series(ok, index=df.index, name="in_scope")


def _scope_columns(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """Card spend, loan balance and custody margin (missing = 0) and the card level of a frame."""
    return (df["credit_card_annual_spend"].to_numpy(dtype="float64", na_value=0.0),
            df["loan_balance"].to_numpy(dtype="float64", na_value=0.0),
            df["custody_margin"].to_numpy(dtype="float64", na_value=0.0),
            df["card_level"])


def _eligible(money: np.ndarray, card_spend: np.ndarray, loan: np.ndarray, custody_margin: np.ndarray,
              card_level: CardLevels, t: Thresholds) -> np.ndarray:
    """The scope test over plain arrays, shared by `in_scope` and `tier_codes`."""
    levels = card_level if isinstance(card_level, pd.Series) else pd.Series(card_level, copy=False)
    ok = money >= t.eligible_aum
    ok |= card_spend >= t.eligible_card_spend
    ok |= loan >= t.eligible_loan
    ok |= custody_margin >= t.eligible_custody_margin
    ok |= levels.isin(list(t.eligible_card_levels)).to_numpy(dtype=bool)
    return ok


def tier_codes(money: np.ndarray, card_spend: np.ndarray, loan: np.ndarray, custody_margin: np.ndarray,
               card_level: CardLevels, age: np.ndarray, thresholds: Thresholds | None = None) -> np.ndarray:
    """Tier code (rank in TIERS, int8) per client from plain arrays: the one implementation of the
    CONTRACT §2 cascade, so `classify` and the sample bank (`toolkit.sample`) cannot disagree.

    Amounts are float arrays with missing values as 0; `card_level` holds card level codes (NA
    counts as not eligible); `age` is in years, NaN where unknown, which counts as under
    `potential_b_max_age`. Out of scope first, then the first tier whose lower bound (inclusive)
    AUM reaches; potential_b also needs the age below `potential_b_max_age`.
    """
    t = thresholds or Thresholds()
    scope = _eligible(money, card_spend, loan, custody_margin, card_level, t)
    young = ~(age >= t.potential_b_max_age)  # NaN (unknown) compares False: counts as young
    return np.select(
        [~scope, money >= t.private_wealth, money >= t.wealth, money >= t.potential_a,
         (money >= t.potential_b) & young],
        [_CODE["out_of_scope"], _CODE["private_wealth"], _CODE["wealth"], _CODE["potential_a"],
         _CODE["potential_b"]],
        default=_CODE["basic"],
    ).astype("int8")


def classify(df: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """A copy of `df` with aum, products_held, age, in_scope, tier, rank and age_unknown added.

    Tier is the first match of CONTRACT §2 (lower bounds inclusive); potential_b also needs the
    age at the row's own snapshot date below `potential_b_max_age`, and a missing birth date
    counts as under it (`age_unknown` marks those rows for the data-quality warning).
    """
    t = thresholds or Thresholds()
    out = df.copy(deep=False)  # copy-on-write: the added columns never touch the caller's frame
    total = aum(df)
    age = age_at(df["birth_date"], df["snapshot_date"])
    unknown = age.isna().to_numpy()
    codes = tier_codes(total.to_numpy(), *_scope_columns(df), age.to_numpy(dtype="float64", na_value=np.nan), t)
    scope = codes != _CODE["out_of_scope"]  # out of scope is the cascade's first and only match then
    out["aum"] = total
    out["products_held"] = products_held(df)
    out["age"] = age
    out["in_scope"] = scope
    out["tier"] = pd.Categorical.from_codes(codes, dtype=TIER_DTYPE)
    out["rank"] = codes.astype("int64")
    out["age_unknown"] = unknown
    return out
