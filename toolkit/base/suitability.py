"""Suitability (风险匹配, CONTRACT §4): the single gate every recommendation passes through.

Selling a product rated above the client's assessed risk tolerance is illegal, so the rule lives
here and nowhere else: `assess` turns the client's profile into what they may buy, and `enforce`
refuses (raises) any recommendation that breaks it or a product's minimum amount.
A risk level without an assessment date cannot be shown to be current, so it is treated like no
assessment (R1 only) until a dated assessment is recorded. The status says why as reason codes
(`notices()`); the report layer words them and the risk disclosure (toolkit.report.text).

It sits in base so that the branch plan (a maturing holding's suggested product) and the client
proposal pass the same gate; toolkit.client.suitability is the proposal's name for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from toolkit.base.errors import ClientcareError
from toolkit.base.notices import Notice
from toolkit.base.schema import RISK_LEVELS
from toolkit.base.settings import ProposalSettings

_MIN_TOLERANCE = 0.005  # yuan: amounts are compared to min_amount with half-a-fen slack for float noise

#: The reason codes of a status, in the order `assess` gives them.
REASONS: tuple[str, ...] = ("no_assessment", "assessment_undated", "assessment_expired", "assessment_in_future",
                            "extra_care", "age_unknown")


class SuitabilityError(ClientcareError):
    """A recommendation breaks suitability or a product's minimum amount; lists every offending row."""

    def __init__(self, violations: list[str]):
        self.violations = list(violations)
        super().__init__("recommendations break suitability:\n" + "\n".join(f"  - {v}" for v in violations))


def risk_number(code: object) -> int | None:
    """'C3'/'R3'/'平衡型' -> 3; anything else -> None."""
    if code is None or code is pd.NA or (isinstance(code, float) and pd.isna(code)):
        return None
    text = RISK_LEVELS.get(str(code).strip(), str(code).strip().upper())
    m = re.fullmatch(r"[CR]([1-5])", text)
    return int(m.group(1)) if m else None


def _as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def age_on(birth_date: object, day: dt.date) -> int | None:
    """Completed years of age on `day` (None without a birth date)."""
    born = _as_date(birth_date)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class SuitabilityStatus:
    """What the client may be offered, and why. `reasons` are codes; `notices()` what to tell the reader."""

    risk_level: str | None  # the declared level, canonical C1..C5
    max_product_risk: int  # highest R number that may be recommended
    needs_assessment: bool
    extra_care: bool
    age: int | None
    assessed_on: dt.date | None
    reasons: tuple[str, ...]
    valid_months: int = 12
    extra_care_age: int = 65

    @property
    def effective_level(self) -> str:
        """The client level the rules act on: C1 without a valid assessment."""
        return f"C{self.max_product_risk}"

    def notices(self) -> list[Notice]:
        """One notice per reason (text key `proposal.reason.<code>`), with the numbers it quotes."""
        fill = {"months": self.valid_months, "on": self.assessed_on, "age": self.age,
                "limit": self.extra_care_age}
        return [Notice(f"proposal.reason.{r}", dict(fill)) for r in self.reasons]


def assess(risk_level: object, assessed_on: object, birth_date: object, as_of: object,
           settings: ProposalSettings | None = None) -> SuitabilityStatus:
    """The client's suitability on `as_of`: a valid, dated, unexpired assessment sets the ceiling."""
    s = settings or ProposalSettings()
    day = _as_date(as_of)
    if day is None:
        raise ValueError("as_of is required to assess suitability")
    level = risk_number(risk_level)
    on = _as_date(assessed_on)
    reasons: list[str] = []
    if level is None:
        reasons.append("no_assessment")
    elif on is None:
        reasons.append("assessment_undated")
    elif on > day:
        reasons.append("assessment_in_future")
    elif (pd.Timestamp(on) + pd.DateOffset(months=s.risk_assessment_valid_months)).date() < day:
        reasons.append("assessment_expired")
    needs = bool(reasons)
    age = age_on(birth_date, day)
    extra = age is not None and age >= s.extra_care_age
    if extra:
        reasons.append("extra_care")
    elif age is None:
        reasons.append("age_unknown")
    return SuitabilityStatus(
        risk_level=None if level is None else f"C{level}", max_product_risk=1 if needs else int(level),
        needs_assessment=needs, extra_care=extra, age=age, assessed_on=on, reasons=tuple(reasons),
        valid_months=s.risk_assessment_valid_months, extra_care_age=s.extra_care_age)


def _ratings(products: pd.DataFrame) -> pd.Series:
    return products["risk_rating"].map(risk_number).astype("Float64")


def suitable_products(products: pd.DataFrame, status: SuitabilityStatus) -> pd.DataFrame:
    """The shelf rows the client may be offered (risk rating ≤ their ceiling); unrated rows are dropped."""
    rating = _ratings(products)
    keep = (rating <= status.max_product_risk).fillna(False).astype(bool)
    return products.loc[keep.to_numpy()].reset_index(drop=True)


def enforce(recommendations: pd.DataFrame, products: pd.DataFrame, status: SuitabilityStatus) -> pd.DataFrame:
    """Return `recommendations` unchanged if every row is legal; raise SuitabilityError otherwise.

    The shelf, not the recommendation, is the source of truth for rating and minimum amount.
    """
    if recommendations.empty:
        return recommendations
    shelf = products.assign(_pid=products["product_id"].astype(str)).drop_duplicates("_pid").set_index("_pid")
    ids = recommendations["product_id"].astype(str)
    amounts = pd.to_numeric(recommendations["amount"], errors="coerce").astype(float)
    known = ids.isin(shelf.index)
    rating = ids.map(_ratings(shelf).to_dict()).astype("Float64")
    minimum = ids.map(pd.to_numeric(shelf["min_amount"], errors="coerce").fillna(0.0).to_dict()).astype(float)
    checks = {
        "is not on the product shelf": ~known,
        f"is rated above the client's ceiling R{status.max_product_risk}":
            known & ~(rating <= status.max_product_risk).fillna(False).astype(bool),
        "has no positive amount": ~(amounts > 0),
        "is below the product's minimum amount": known & (amounts < minimum - _MIN_TOLERANCE),
    }
    broken = pd.DataFrame({what: bad.to_numpy() for what, bad in checks.items()})
    violations = [f"row {i + 1}: {pid} ({amt:,.2f} yuan) " + "; ".join(broken.columns[flags])
                  for i, (pid, amt, flags) in enumerate(zip(ids, amounts, broken.to_numpy(), strict=True))
                  if flags.any()]
    if violations:
        raise SuitabilityError(violations)
    return recommendations
