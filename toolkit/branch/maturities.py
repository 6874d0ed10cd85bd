"""Maturity calls (到期提醒): money leaves when deposits and wealth products mature, so the
maintainer calls a set number of working days before.

For each holding of an in-scope client that matures in the plan month: the call date is N working days (MaturitySettings.contact_workdays_before) before the maturity
date, counted from the working day before it when the maturity falls on a weekend or holiday; a
call date before the plan month starts (or before the hand-out day) moves to its first working
day and is marked late. The suggested product passes the suitability gate of CONTRACT §4
(toolkit.base.suitability): rated within the client's valid assessment (R1 only without one), its
minimum amount within the maturing amount, the same category first, then the best expected return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pandas as pd

from toolkit.base.periods import month_end, month_start
from toolkit.base.settings import AssessmentSettings, MaturitySettings, ProposalSettings
from toolkit.base.suitability import SuitabilityStatus, assess, enforce, suitable_products
from toolkit.base.workdays import WorkCalendar, as_date

CALL_COLUMNS = ["contact_date", "maturity_date", "client_id", "name", "phone", "tier", "aum", "maintainer_id",
                "product_id", "category", "amount", "start_date", "late", "max_product_risk",
                "needs_assessment", "suggested_product_id", "suggested_name", "suggested_risk"]


def call_date(maturity: object, workdays_before: int, calendar: WorkCalendar) -> dt.date:
    """The working day `workdays_before` working days before `maturity`; a maturity on a rest day
    counts from the working day before it (Saturday's maturity, 5 days: five working days before Friday)."""
    day = calendar.previous_workday(maturity, inclusive=True)
    for _ in range(workdays_before):
        day = calendar.previous_workday(day)
    return day


class _Suggester:
    """The suggested product for a maturing holding: the shelf the gate allows for the client's
    ceiling (`suitable_products`, once per ceiling), then the same category first, the best expected
    return, the product id; amounts below a product's minimum never get it."""

    def __init__(self, products: pd.DataFrame | None):
        self.products = products
        self.shelves: dict[int, list[dict[str, object]]] = {}
        self.statuses: dict[int, SuitabilityStatus] = {}

    def pick(self, status: SuitabilityStatus, category: object, amount: float) -> dict[str, object] | None:
        if self.products is None or self.products.empty:
            return None
        ceiling = status.max_product_risk
        if ceiling not in self.shelves:
            self.statuses[ceiling] = status
            shelf = suitable_products(self.products, status)
            self.shelves[ceiling] = shelf.assign(
                min_amount=pd.to_numeric(shelf["min_amount"], errors="coerce").fillna(0.0),
                expected_return=pd.to_numeric(shelf["expected_return"], errors="coerce").fillna(0.0),
                product_id=shelf["product_id"].astype(str)).to_dict("records")
        fits = [p for p in self.shelves[ceiling] if p["min_amount"] <= amount]
        if not fits:
            return None
        best_return = max((p["category"] == category, p["expected_return"]) for p in fits)
        return min((p for p in fits if (p["category"] == category, p["expected_return"]) == best_return),
                   key=lambda p: p["product_id"])

    def check(self, calls: pd.DataFrame) -> None:
        """Every suggestion through the gate (toolkit.base.suitability.enforce): raises if one breaks it."""
        if self.products is None:
            return
        for ceiling, status in self.statuses.items():
            rows = calls.loc[(calls["max_product_risk"] == ceiling) & calls["suggested_product_id"].notna()]
            enforce(pd.DataFrame({"product_id": rows["suggested_product_id"], "amount": rows["amount"]}),
                    self.products, status)


def _free_day(day: dt.date, off: set[dt.date], start: dt.date, calendar: WorkCalendar) -> dt.date:
    """`day`, or the nearest working day not in `off`: earlier first (never before `start`), else later."""
    if day not in off:
        return day
    earlier = day
    while earlier > start:
        earlier = calendar.previous_workday(earlier)
        if earlier >= start and earlier not in off:
            return earlier
    later = calendar.next_workday(day)
    while later in off:
        later = calendar.next_workday(later)
    return later


def maturity_calls(holdings: pd.DataFrame, clients: pd.DataFrame, products: pd.DataFrame | None, month: str,
                   calendar: WorkCalendar, settings: MaturitySettings | None = None,
                   assessments: AssessmentSettings | None = None, as_of: dt.date | None = None,
                   blocked: Mapping[str, Collection[dt.date]] | None = None) -> pd.DataFrame:
    """One row per maturing holding of an in-scope client (`clients`: the branch's classified current
    snapshot) maturing in the plan month (the plan's "本月到期"), by call date. `blocked`: staff_id
    -> days the maintainer hosts the forum or a salon; a call due then moves to the working day before
    (or, with none left in the month, the one after)."""
    s, a = settings or MaturitySettings(), assessments or AssessmentSettings()
    first, last = month_start(month), month_end(month)
    start = calendar.next_workday(max(first, as_of or first), inclusive=True)
    scope = clients.loc[clients["in_scope"].astype(bool)].drop_duplicates("client_id")
    scope = scope.assign(client_id=scope["client_id"].astype(str)).set_index("client_id")
    held = holdings.assign(client_id=holdings["client_id"].astype(str))
    held = held.loc[held["client_id"].isin(scope.index) & held["maturity_date"].notna()]
    # Only this month's maturities go on: the shelf lookup and the clients' records for them alone.
    held = held.loc[[first <= as_date(day) <= last for day in held["maturity_date"]]]
    if products is not None and len(held):  # a holding named by product takes its category from the shelf
        shelf_category = products.assign(product_id=products["product_id"].astype(str)).set_index("product_id")
        known = held["product_id"].astype("string").map(shelf_category["category"])
        held = held.assign(category=held["category"].where(held["category"].notna(), known))
    rules = ProposalSettings(risk_assessment_valid_months=a.valid_months)
    suggester = _Suggester(products)
    wanted = [c for c in ("name", "phone", "tier", "aum", "maintainer_id", "risk_level", "risk_assessed_on",
                          "birth_date") if c in scope]
    people = scope.loc[scope.index.isin(held["client_id"]), wanted].to_dict("index")
    rows = []
    for h in held.itertuples(index=False):
        maturity = as_date(h.maturity_date)
        call = call_date(maturity, s.contact_workdays_before, calendar)
        late = call < start
        call = max(call, start)
        client = people[h.client_id]
        call = _free_day(call, set((blocked or {}).get(str(client.get("maintainer_id")), ())), start, calendar)
        status = assess(client.get("risk_level"), client.get("risk_assessed_on"), client.get("birth_date"), first,
                        rules)
        best = suggester.pick(status, h.category, float(h.amount))
        rows.append({"contact_date": pd.Timestamp(call), "maturity_date": pd.Timestamp(maturity),
                     "client_id": h.client_id, "name": client.get("name"), "phone": client.get("phone"),
                     "tier": str(client.get("tier")), "aum": float(client.get("aum", 0.0)),
                     "maintainer_id": client.get("maintainer_id"), "product_id": h.product_id,
                     "category": h.category, "amount": float(h.amount), "start_date": h.start_date,
                     "late": late, "max_product_risk": status.max_product_risk,
                     "needs_assessment": status.needs_assessment,
                     "suggested_product_id": None if best is None else best["product_id"],
                     "suggested_name": None if best is None else best["name"],
                     "suggested_risk": None if best is None else best["risk_rating"]})
    out = pd.DataFrame(rows, columns=CALL_COLUMNS).astype({"contact_date": "datetime64[ns]",
                                                           "maturity_date": "datetime64[ns]"})
    suggester.check(out)
    return out.sort_values(["contact_date", "maintainer_id", "client_id", "maturity_date"],
                           kind="mergesort").reset_index(drop=True)
