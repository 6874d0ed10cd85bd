"""Every business threshold as a typed setting with the documents' defaults (CONTRACT §2–§5).

Banks differ (CMB 金葵花 starts at 50万), so nothing here is a constant in code: a params file can
override any field. Unknown keys are rejected (`extra="forbid"`), so a typo never silently
falls back to a default.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from toolkit.base.periods import supported_date

TierName = Literal["out_of_scope", "basic", "potential_b", "potential_a", "wealth", "private_wealth"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
RiskLevel = Literal["C1", "C2", "C3", "C4", "C5"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(Strict):
    """Scope, tiers, KPIs and watch lists (CONTRACT §2–§3)."""

    # In scope (维护对象): any one of these.
    eligible_aum: float = Field(50_000, ge=0)
    eligible_card_spend: float = Field(50_000, ge=0)
    eligible_loan: float = Field(300_000, ge=0)
    eligible_custody_margin: float = Field(10_000, ge=0)
    eligible_card_levels: tuple[Literal["gold", "platinum", "diamond"], ...] = ("gold", "platinum", "diamond")
    # Tier lower bounds (inclusive), AUM in yuan.
    private_wealth: float = Field(2_000_000, ge=0)
    wealth: float = Field(200_000, ge=0)
    potential_a: float = Field(100_000, ge=0)
    potential_b: float = Field(50_000, ge=0)
    potential_b_max_age: int = Field(60, ge=0)
    # KPIs and watch lists.
    coverage_min_lines: int = Field(3, ge=1)
    top_share: float = Field(0.20, gt=0, le=1)
    outflow_share: float = Field(0.30, gt=0, le=1)
    outflow_amount: float = Field(100_000, ge=0)
    upgrade_candidate_share: float = Field(0.90, gt=0, le=1)
    #: A product line counts as "usual" for a tier when at least this share of the tier holds it.
    product_gap_usual_share: float = Field(0.5, gt=0, le=1)
    #: Households with net assets at or above this are the proposal marketing target.
    marketing_net_assets: float = Field(5_000_000, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not (self.private_wealth >= self.wealth >= self.potential_a >= self.potential_b):
            raise ValueError("tier thresholds must satisfy private_wealth ≥ wealth ≥ potential_a ≥ potential_b")
        return self


def _clock(value: object) -> object:
    """YAML 1.1 reads an unquoted 14:30 as the base-60 integer 870; read it back as 14:30."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)
    return value


def _supported_window(window: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date] | None:
    """A forum or salon window is looked up in the working-day calendar: it must lie in the supported years."""
    if window is not None:
        for day in window:
            supported_date(day, "window date")
    return window


#: An event window [start, end] inside the supported years (toolkit.base.periods.SUPPORTED_DATES).
Window = Annotated[tuple[dt.date, dt.date], AfterValidator(_supported_window)]
#: A time of day such as 09:30, quoted or not in YAML.
ClockTime = Annotated[dt.time, BeforeValidator(_clock)]
ForumStep = Literal["invitations", "confirmation_calls", "materials", "sms_reminder", "feedback_forms",
                    "thank_you_calls"]


class VisitSettings(Strict):
    """Home visits (上门拜访): cadence per tier in months; tiers not listed are phone-only."""

    cadence_months: dict[TierName, int] = Field(
        default_factory=lambda: {"private_wealth": 1, "wealth": 3, "potential_a": 6}
    )
    max_per_day: int = Field(3, ge=1)
    #: Monthly limit for staff whose staff row leaves max_visits_per_month blank.
    default_max_per_month: int = Field(40, ge=0)
    #: Calendar slots (visits.ics): the day's first visit starts here, the next ones slot_minutes later.
    first_visit_at: ClockTime = dt.time(9, 30)
    slot_minutes: int = Field(120, ge=15)
    visit_minutes: int = Field(90, ge=15)
    #: No visit overlaps the lunch break [start, end): a slot that would is moved to its end.
    lunch: tuple[ClockTime, ClockTime] = (dt.time(11, 30), dt.time(13, 30))
    #: A client due inside the month may be visited from this many days before the due date.
    due_lead_days: int = Field(3, ge=0)
    #: Outflow-watch clients are visited within this many working days from the hand-out date.
    outflow_workdays: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _slots_fit(self) -> VisitSettings:
        if self.visit_minutes > self.slot_minutes:
            raise ValueError("visit_minutes must not exceed slot_minutes")
        if self.lunch[0] > self.lunch[1]:
            raise ValueError("lunch must be [start, end] with start ≤ end")
        return self


StaffRole = Literal["branch_president", "wealth_manager", "financial_advisor", "branch_director",
                    "lobby_manager", "teller"]


class CoverageSettings(Strict):
    """Top clients (200万+) must have a maintainer on the branch's staff (seed: the wealth manager with
    the branch president): who takes them over when theirs is missing, left or elsewhere."""

    #: Tiers whose clients must be covered.
    top_tiers: tuple[TierName, ...] = ("private_wealth",)
    #: Who takes a top client over, in order: the first role present on the staff with room left.
    fallback_roles: tuple[StaffRole, ...] = ("branch_president", "wealth_manager")
    #: At most this many handovers per person in one plan (the next role takes the rest).
    max_handovers_per_staff: int = Field(15, ge=1)


class ForumSettings(Strict):
    """The annual client forum (座谈会)."""

    window: Window
    #: Where it is held (calendar LOCATION, invitations); text, never a path.
    venue: str | None = Field(None, max_length=200)
    capacity: int = Field(60, ge=1)
    expected_attendance_rate: float = Field(0.8, gt=0, le=1)
    budget_per_guest: float = Field(800, ge=0)
    fixed_cost: float = Field(5000, ge=0)
    preferred_weekdays: tuple[Weekday, ...] = ("sat", "fri")
    guests_per_host: int = Field(40, ge=1)
    invite_tiers: tuple[TierName, ...] = ("private_wealth", "wealth")
    start_time: ClockTime = dt.time(14, 30)
    duration_minutes: int = Field(180, ge=15)
    #: Preparation and follow-up, in days from the forum day (T); each lands on a working day.
    timeline_days: dict[ForumStep, int] = Field(default_factory=lambda: {
        "invitations": -30, "confirmation_calls": -14, "materials": -7, "sms_reminder": -1,
        "feedback_forms": 0, "thank_you_calls": 3})
    #: A forum (activities of kind event) within this many months before the plan month is noted.
    recent_forum_months: int = Field(12, ge=1)

    @model_validator(mode="after")
    def _window(self) -> ForumSettings:
        if self.window[0] > self.window[1]:
            raise ValueError("window must be [start, end] with start ≤ end")
        missing = [s for s in ForumStep.__args__ if s not in self.timeline_days]
        if missing:
            raise ValueError(f"timeline_days needs every step; missing {', '.join(missing)}")
        return self


class SalonSettings(Strict):
    """A themed salon (沙龙) for clients missing one product line."""

    theme: Literal["demand_deposit", "time_deposit", "wealth_products", "funds", "bonds",
                   "insurance", "precious_metals", "custody_margin"]
    capacity: int = Field(20, ge=1)
    window: Window | None = None  # None: the plan month
    preferred_weekdays: tuple[Weekday, ...] = ("sat", "sun")
    start_time: ClockTime = dt.time(14, 30)
    duration_minutes: int = Field(120, ge=15)
    venue: str | None = Field(None, max_length=200)
    #: Invitation calls, confirmation calls and follow-up calls, in days from the salon day.
    timeline_days: dict[Literal["invitation_calls", "confirmation_calls", "follow_up_calls"], int] = Field(
        default_factory=lambda: {"invitation_calls": -14, "confirmation_calls": -3, "follow_up_calls": 3})


class GreetingSettings(Strict):
    """Happy-event greetings: gift tiers get flowers or a gift, everyone else an SMS."""

    gift_tiers: tuple[TierName, ...] = ("private_wealth", "wealth")
    #: Festival greetings for every in-scope client (dates from the holiday calendar).
    festivals: tuple[Literal["spring_festival", "mid_autumn"], ...] = ("spring_festival", "mid_autumn")
    #: A happy event recorded in activities (kind gift/sms/call/visit/event, a note naming it) within
    #: this many days before the hand-out date, not yet greeted, gets a greeting.
    happy_event_days: int = Field(30, ge=0)
    #: Words in an activity's note that mark a happy event, by kind of event.
    happy_event_words: dict[Literal["wedding", "admission", "baby", "new_home", "promotion"],
                            tuple[str, ...]] = Field(default_factory=lambda: {
        "wedding": ("结婚", "婚礼", "新婚", "wedding"), "admission": ("升学", "录取", "金榜", "admission"),
        "baby": ("生子", "添丁", "满月", "new baby"), "new_home": ("乔迁", "新居", "new home"),
        "promotion": ("升职", "晋升", "promotion")})


class RatioBenchmarks(Strict):
    """Household-ratio benchmarks (CONTRACT §4). Textbooks differ, so these are settings."""

    savings_ratio: float = 0.60
    savings_ratio_tolerance: float = 0.10
    liquidity_ratio_min: float = 3.0
    liquidity_ratio_max: float = 6.0
    liquid_to_net_assets: float = 0.15
    liquid_to_net_assets_tolerance: float = 0.05
    solvency_ratio_min: float = 0.50
    debt_service_ratio_max: float = 0.60
    investment_to_net_assets_min: float = 0.50


class LifeStageSettings(Strict):
    """Benchmarks and advice that depend on the client's stage of life (a retired couple living on a
    pension is not told to save 60% of its income)."""

    #: The client counts as retired from this age, or when their occupation contains one of the words.
    retirement_age: int = Field(60, ge=0)
    retired_words: tuple[str, ...] = ("退休", "retired")
    #: RatioBenchmarks fields that differ for retired clients (the rest stay as in `benchmarks`).
    retired_benchmarks: dict[str, float] = Field(default_factory=lambda: {
        "savings_ratio": 0.15, "savings_ratio_tolerance": 0.15, "investment_to_net_assets_min": 0.30})

    @model_validator(mode="after")
    def _known(self) -> LifeStageSettings:
        unknown = sorted(set(self.retired_benchmarks) - set(RatioBenchmarks.model_fields))
        if unknown:
            raise ValueError(f"retired_benchmarks: unknown benchmarks {unknown}")
        return self


class PlanSettings(Strict):
    """How the proposal's one plan assigns the household's money (toolkit.client.plan)."""

    #: Each goal is funded until its simulated chance reaches this (or its current-path chance, if higher).
    goal_confidence: float = Field(0.80, gt=0, le=1)
    #: Goal horizon caps: a goal due within `years` is invested at most at `level` (key: years).
    horizon_caps: dict[int, RiskLevel] = Field(default_factory=lambda: {3: "C2", 5: "C3"})
    #: The return and volatility of the current path (money kept as it is, mostly deposits).
    current_path_level: RiskLevel = "C1"
    #: Existing holdings (whose terms are not known) fund only goals at least this many years away.
    kept_min_years: int = Field(2, ge=0)
    #: Emergency money: R1 products withdrawable within this many days (or with no term).
    emergency_max_days: int = Field(90, ge=0)
    emergency_categories: tuple[str, ...] = ("demand_deposit", "wealth_products", "funds")
    #: Goal money is not put into these (a policy's surrender value is not the premium paid).
    goal_excluded_categories: tuple[str, ...] = ("insurance", "custody_margin")
    #: Purchases are to be made within this many days of the proposal date.
    act_within_days: int = Field(30, ge=1)
    #: The proposal is valid for this many months from its date.
    validity_months: int = Field(3, ge=1)


class ProposalSettings(Strict):
    """Assumptions behind a client proposal (goals, allocation, suitability)."""

    benchmarks: RatioBenchmarks = Field(default_factory=RatioBenchmarks)
    inflation: float = 0.025
    #: Expected annual return and volatility by client risk level, for goal projections.
    expected_return: dict[RiskLevel, float] = Field(
        default_factory=lambda: {"C1": 0.02, "C2": 0.03, "C3": 0.045, "C4": 0.06, "C5": 0.075})
    volatility: dict[RiskLevel, float] = Field(
        default_factory=lambda: {"C1": 0.01, "C2": 0.03, "C3": 0.07, "C4": 0.12, "C5": 0.18})
    monte_carlo_trials: int = Field(2000, ge=1000)
    seed: int = 20261128
    emergency_months: float = Field(6.0, ge=0)
    #: Share of time deposits treated as investable when they mature.
    time_deposit_investable_share: float = Field(0.5, ge=0, le=1)
    risk_assessment_valid_months: int = Field(12, ge=1)
    extra_care_age: int = Field(65, ge=0)
    review_months: int = Field(6, ge=1)
    #: Model mix by client risk level: category -> weight (weights sum to 1).
    model_mix: dict[RiskLevel, dict[str, float]] = Field(default_factory=lambda: {
        "C1": {"time_deposit": 0.5, "bonds": 0.3, "wealth_products": 0.2},
        "C2": {"time_deposit": 0.3, "bonds": 0.25, "wealth_products": 0.35, "insurance": 0.1},
        "C3": {"time_deposit": 0.15, "bonds": 0.2, "wealth_products": 0.3, "funds": 0.2,
               "insurance": 0.1, "precious_metals": 0.05},
        "C4": {"bonds": 0.15, "wealth_products": 0.25, "funds": 0.4, "insurance": 0.1,
               "precious_metals": 0.1},
        "C5": {"bonds": 0.1, "wealth_products": 0.2, "funds": 0.55, "insurance": 0.05,
               "precious_metals": 0.1},
    })
    #: Allocation amounts are rounded down to whole multiples of this (yuan), never below min_amount.
    allocation_step: float = Field(1000, gt=0)
    #: A balance-sheet financial item is a time deposit when its text contains one of these words.
    time_deposit_words: tuple[str, ...] = ("定期", "time deposit")
    #: Tiers whose clients are candidates for the annual forum list in the service plan.
    forum_tiers: tuple[TierName, ...] = ("private_wealth", "wealth")
    plan: PlanSettings = Field(default_factory=PlanSettings)
    life_stage: LifeStageSettings = Field(default_factory=LifeStageSettings)

    @model_validator(mode="after")
    def _complete(self) -> ProposalSettings:
        """Every risk level needs a return, a volatility and a mix of real categories summing to 1,
        otherwise a partial override in a params file would fail mid-proposal or drop money."""
        from toolkit.base.schema import ASSET_COLUMNS

        levels = ("C1", "C2", "C3", "C4", "C5")
        for name in ("expected_return", "volatility", "model_mix"):
            missing = [lv for lv in levels if lv not in getattr(self, name)]
            if missing:
                raise ValueError(f"{name} needs every risk level; missing {', '.join(missing)}")
        for level, mix in self.model_mix.items():
            unknown = sorted(set(mix) - set(ASSET_COLUMNS))
            if unknown:
                raise ValueError(f"model_mix.{level}: unknown categories {unknown}; "
                                 f"use {list(ASSET_COLUMNS)}")
            if any(w < 0 for w in mix.values()) or abs(sum(mix.values()) - 1) > 1e-6:
                raise ValueError(f"model_mix.{level}: weights must be ≥ 0 and sum to 1")
        if any(v < 0 for v in self.volatility.values()):
            raise ValueError("volatility must be ≥ 0")
        b = self.benchmarks
        if not b.liquidity_ratio_min <= self.emergency_months <= b.liquidity_ratio_max:
            # one rule: the emergency fund the plan builds is one the diagnosis calls sound
            raise ValueError(f"emergency_months ({self.emergency_months:g}) must lie within the liquidity "
                             f"benchmark {b.liquidity_ratio_min:g}–{b.liquidity_ratio_max:g} months")
        return self


CorporateClass = Literal["class_1", "class_2", "class_3"]
#: Who contacts a corporate client (the seed's roles): 行长/副行长 (leader), 分行公司业务部主任 (head),
#: 客户经理 (manager), 网点主任/副主任 (director).
ContactRole = Literal["leader", "head", "manager", "director"]


class CorporateSettings(Strict):
    """Corporate clients (对公客户): the seed's classes and minimum contacts per role and month.

    一类: deposits ≥ class_1_deposits or target credit ≥ class_1_credit; 二类: deposits ≥ class_2_deposits
    (and below 一类); 三类: the rest. Lower bounds are inclusive."""

    class_1_deposits: float = Field(200_000_000, ge=0)
    class_1_credit: float = Field(200_000_000, ge=0)
    class_2_deposits: float = Field(50_000_000, ge=0)
    #: Minimum visits and contacts per month: role -> class -> count (a class not listed needs none).
    contacts: dict[ContactRole, dict[CorporateClass, int]] = Field(default_factory=lambda: {
        "leader": {"class_1": 1, "class_2": 1},
        "head": {"class_1": 2, "class_2": 2},
        "manager": {"class_1": 3, "class_2": 3, "class_3": 3},
        "director": {"class_2": 2, "class_3": 2},
    })

    @model_validator(mode="after")
    def _ordered(self) -> CorporateSettings:
        if self.class_2_deposits > self.class_1_deposits:
            raise ValueError("class_2_deposits must not exceed class_1_deposits")
        if any(n < 0 for per_class in self.contacts.values() for n in per_class.values()):
            raise ValueError("contacts must be ≥ 0")
        return self


class MaturitySettings(Strict):
    """Maturity calls (到期提醒): call this many working days before a holding matures."""

    contact_workdays_before: int = Field(5, ge=0, le=40)


class AssessmentSettings(Strict):
    """Risk assessments (风险评估): valid for valid_months; listed when missing, or expiring within
    expiring_within_months of the plan month's first day."""

    valid_months: int = Field(12, ge=1)
    expiring_within_months: int = Field(2, ge=0)


class TargetSettings(Strict):
    """The 500万 marketing-target list: net assets ≥ Thresholds.marketing_net_assets are targets;
    near_target (AUM, or fact-find net assets where one exists) up to it are near-targets."""

    near_target: float = Field(3_000_000, ge=0)


class ReportSettings(Strict):
    """How much of each named list the printed plan shows. A branch president reads the first rows
    of each list on paper; every row is in the staff work lists (visits.xlsx, forum_invitees.xlsx,
    the calendars). Print time follows the number of table cells, so this is also the plan's cost."""

    list_rows: int = Field(10, ge=1, le=200)
