"""The input tables of CONTRACT §1: canonical column names, Chinese aliases, types and vocabularies.

One place defines every table, so loaders, validation, the sample generator and the fact-find
template cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

Kind = Literal["text", "date", "amount", "int", "fraction", "enum"]

#: The eight asset columns whose sum is a client's AUM (个人金融资产).
ASSET_COLUMNS: tuple[str, ...] = (
    "demand_deposit",
    "time_deposit",
    "wealth_products",
    "funds",
    "bonds",
    "insurance",
    "precious_metals",
    "custody_margin",
)
#: The ten product lines counted for "products held" (挖): the assets, card spend and loans.
PRODUCT_LINES: tuple[str, ...] = (*ASSET_COLUMNS, "credit_card_annual_spend", "loan_balance")

#: Tiers in rank order, lowest first (CONTRACT §2 "Rank").
TIERS: tuple[str, ...] = ("out_of_scope", "basic", "potential_b", "potential_a", "wealth", "private_wealth")
IN_SCOPE_TIERS: tuple[str, ...] = TIERS[1:]
TIER_RANK: dict[str, int] = {t: i for i, t in enumerate(TIERS)}

ROLES: tuple[str, ...] = (
    "branch_president",
    "wealth_manager",
    "financial_advisor",
    "branch_director",
    "lobby_manager",
    "teller",
)

CARD_LEVELS = {"normal": "normal", "gold": "gold", "platinum": "platinum", "diamond": "diamond",
               "普卡": "normal", "金卡": "gold", "白金卡": "platinum", "钻石卡": "diamond"}
RISK_LEVELS = {"C1": "C1", "C2": "C2", "C3": "C3", "C4": "C4", "C5": "C5",
               "保守型": "C1", "稳健型": "C2", "平衡型": "C3", "成长型": "C4", "进取型": "C5"}
PRODUCT_RISK = {"R1": "R1", "R2": "R2", "R3": "R3", "R4": "R4", "R5": "R5"}
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F", "m": "M", "f": "F"}
#: Staff roles of corporate banking (对公): they maintain corporate clients, not the retail book.
CORPORATE_ROLES: tuple[str, ...] = ("vice_president", "corporate_head", "corporate_manager")
ROLE_WORDS = {**{r: r for r in (*ROLES, *CORPORATE_ROLES)}, "行长": "branch_president", "财富经理": "wealth_manager",
              "理财经理": "financial_advisor", "网点主任": "branch_director",
              "大堂经理": "lobby_manager", "柜员": "teller", "网点员工": "teller",
              "副行长": "vice_president", "分行公司业务部主任": "corporate_head", "公司业务部主任": "corporate_head",
              "对公客户经理": "corporate_manager", "网点副主任": "branch_director"}
ACTIVITY_KINDS = {"visit": "visit", "call": "call", "sms": "sms", "gift": "gift", "event": "event",
                  "拜访": "visit", "电话": "call", "短信": "sms", "礼品": "gift", "活动": "event"}
CATEGORIES = {c: c for c in ASSET_COLUMNS}
CATEGORIES.update({"活期存款": "demand_deposit", "定期存款": "time_deposit", "理财产品": "wealth_products",
                   "基金": "funds", "国债": "bonds", "保险": "insurance", "贵金属": "precious_metals",
                   "三方存管保证金": "custody_margin"})
MEMBERS = {"self": "self", "spouse": "spouse", "child": "child", "parent": "parent",
           "本人": "self", "配偶": "spouse", "子女": "child", "父母": "parent"}
CASHFLOW_TYPES = {"income": "income", "expense": "expense", "debt_payment": "debt_payment",
                  "收入": "income", "支出": "expense", "债务偿还": "debt_payment"}
BALANCE_TYPES = {"liquid": "liquid", "financial": "financial", "real": "real", "liability": "liability",
                 "流动资产": "liquid", "金融资产": "financial", "实物资产": "real", "负债": "liability"}

#: The Chinese words of the canonical codes as bank exports write them: input aliases (the clients
#: table's asset headers) and what the sample bank writes. Report labels are toolkit.report.text's.
ZH_LABELS: dict[str, str] = {
    "out_of_scope": "非维护对象", "basic": "基础客户", "potential_b": "潜力客户B",
    "potential_a": "潜力客户A", "wealth": "理财客户", "private_wealth": "私行/财富客户",
    "demand_deposit": "活期存款", "time_deposit": "定期存款", "wealth_products": "理财产品",
    "funds": "基金", "bonds": "国债", "insurance": "保险", "precious_metals": "贵金属",
    "custody_margin": "三方存管保证金", "credit_card_annual_spend": "信用卡", "loan_balance": "个人贷款",
    "branch_president": "行长", "wealth_manager": "财富经理", "financial_advisor": "理财经理",
    "branch_director": "网点主任", "lobby_manager": "大堂经理", "teller": "柜员",
    "vice_president": "副行长", "corporate_head": "分行公司业务部主任", "corporate_manager": "对公客户经理",
    "C1": "保守型", "C2": "稳健型", "C3": "平衡型", "C4": "成长型", "C5": "进取型",
}
@dataclass(frozen=True)
class Column:
    name: str
    alias: str
    kind: Kind
    required: bool = False
    vocabulary: dict[str, str] | None = None  # accepted words -> canonical value (kind="enum")
    unique: bool = False
    expected: str = ""  # what the user should put there, for error messages
    default: str | None = None  # canonical value for a blank cell (enum columns)
    #: The latest a date may be (kind="date"): another date column of the same row, or "today".
    not_after: str | None = None
    #: Other headers bank exports use for this column (a file with two of them has the column twice).
    aliases: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.expected:
            return self.expected
        if self.vocabulary:
            return "one of " + ", ".join(sorted(set(self.vocabulary)))
        return {"date": "a date like 2026-11-30", "amount": "an amount ≥ 0 in yuan",
                "int": "a whole number ≥ 0", "fraction": "a fraction like 0.032",
                "text": "text"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    sheet: str | None = None  # sheet to read in .xlsx; None = the first sheet
    sheet_alias: str | None = None
    unique_key: tuple[str, ...] = field(default_factory=tuple)
    #: The whole table a projection (`project`) was cut from: a file's headers are still mapped through
    #: its aliases, so a header is taken for the same column whichever columns a run reads.
    whole: Table | None = field(default=None, compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def project(self, names: Iterable[str]) -> Table:
        """The same table with only the columns `names` (in the table's order), for a load that reads and
        checks only what a run uses; unique_key is kept only when all its columns are in it."""
        wanted = {names} if isinstance(names, str) else set(names)
        unknown = sorted(wanted - set(self.names))
        if unknown:
            raise ValueError(f"table {self.name!r} has no column {', '.join(map(repr, unknown))}")
        return replace(self, columns=tuple(c for c in self.columns if c.name in wanted),
                       unique_key=self.unique_key if set(self.unique_key) <= wanted else (),
                       whole=self.whole or self)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def alias_map(self) -> dict[str, str]:
        """Header as found in a file (English or Chinese, any case/spacing) -> canonical name."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[c.name.lower()] = c.name
            out[c.alias] = c.name
            out.update(dict.fromkeys(c.aliases, c.name))
        return out


def _amount(name: str, alias: str) -> Column:
    return Column(name, alias, "amount")


CLIENTS = Table(
    "clients",
    (
        Column("snapshot_date", "数据日期", "date", required=True),
        Column("client_id", "客户号", "text", required=True),
        Column("name", "客户姓名", "text", required=True),
        Column("branch_id", "机构号", "text", required=True),
        Column("gender", "性别", "enum", vocabulary=GENDERS),
        Column("birth_date", "出生日期", "date", not_after="snapshot_date"),
        Column("phone", "手机号", "text"),
        Column("maintainer_id", "维护人", "text"),
        *(_amount(c, ZH_LABELS[c]) for c in ASSET_COLUMNS),
        _amount("credit_card_annual_spend", "信用卡年消费"),
        _amount("loan_balance", "个贷余额"),
        Column("card_level", "卡等级", "enum", vocabulary=CARD_LEVELS, default="normal"),
        Column("risk_level", "风险等级", "enum", vocabulary=RISK_LEVELS),
        Column("district", "区域", "text"),
        Column("risk_assessed_on", "风险评估日期", "date", not_after="snapshot_date"),
    ),
    unique_key=("snapshot_date", "client_id"),
)

STAFF = Table(
    "staff",
    (
        Column("staff_id", "员工号", "text", required=True, unique=True),
        Column("name", "姓名", "text", required=True),
        Column("branch_id", "机构号", "text", required=True),
        Column("role", "岗位", "enum", required=True, vocabulary=ROLE_WORDS),
        Column("max_visits_per_month", "月拜访上限", "int"),
        Column("phone", "手机号", "text", aliases=("电话",)),
    ),
    unique_key=("staff_id",),
)

PRODUCTS = Table(
    "products",
    (
        Column("product_id", "产品代码", "text", required=True, unique=True),
        Column("name", "产品名称", "text", required=True),
        Column("category", "类别", "enum", required=True, vocabulary=CATEGORIES),
        Column("risk_rating", "风险等级", "enum", required=True, vocabulary=PRODUCT_RISK),
        Column("min_amount", "起购金额", "amount", required=True),
        Column("term_days", "期限", "int"),
        Column("expected_return", "业绩比较基准", "fraction"),
    ),
    unique_key=("product_id",),
)

ACTIVITIES = Table(
    "activities",
    (
        Column("date", "日期", "date", required=True),
        Column("staff_id", "员工号", "text", required=True),
        Column("client_id", "客户号", "text", required=True),
        Column("kind", "类型", "enum", required=True, vocabulary=ACTIVITY_KINDS),
        Column("note", "备注", "text"),
    ),
)

CORPORATE_CLIENTS = Table(
    "corporate_clients",
    (
        Column("client_id", "客户号", "text", required=True, unique=True),
        Column("name", "客户名称", "text", required=True),
        Column("branch_id", "机构号", "text", required=True),
        Column("deposit_balance", "存款余额", "amount"),
        Column("target_credit", "目标授信金额", "amount"),
        Column("manager_id", "客户经理", "text"),
        # Co-managers by role (共管): blank means the branch's staff member of that role.
        Column("leader_id", "行领导", "text"),
        Column("head_id", "公司业务部主任", "text"),
        Column("director_id", "网点主任", "text"),
    ),
    unique_key=("client_id",),
)

HOLDINGS = Table(
    "holdings",
    (
        Column("client_id", "客户号", "text", required=True),
        Column("product_id", "产品代码", "text"),
        Column("category", "类别", "enum", vocabulary=CATEGORIES),
        Column("amount", "金额", "amount", required=True),
        Column("start_date", "起始日", "date", not_after="maturity_date"),
        Column("maturity_date", "到期日", "date", required=True),
    ),
)

# --- the fact-find workbook (表1–表3) -------------------------------------------------------
PROFILE_FIELDS: dict[str, str] = {  # field -> Chinese alias
    "client_id": "客户号", "name": "客户姓名", "birth_date": "出生日期",
    "risk_level": "风险等级", "risk_assessed_on": "风险评估日期",
}
FF_PROFILE = Table(
    "profile",
    (Column("field", "字段", "text", required=True), Column("value", "值", "text")),
    sheet="profile", sheet_alias="客户信息",
)
FF_FAMILY = Table(
    "family",
    (
        Column("member", "成员", "enum", required=True, vocabulary=MEMBERS),
        Column("name", "姓名", "text"),
        Column("birth_date", "出生日期", "date", not_after="today"),
        Column("occupation", "职业", "text"),
    ),
    sheet="family", sheet_alias="家庭信息",
)
FF_CASHFLOW = Table(
    "cashflow",
    (
        Column("type", "类别", "enum", required=True, vocabulary=CASHFLOW_TYPES),
        Column("item", "项目", "text", required=True),
        Column("annual_amount", "年金额", "amount", required=True),
    ),
    sheet="cashflow", sheet_alias="年度收支",
)
FF_BALANCE = Table(
    "balance",
    (
        Column("type", "类别", "enum", required=True, vocabulary=BALANCE_TYPES),
        Column("item", "项目", "text", required=True),
        Column("amount", "金额", "amount", required=True),
    ),
    sheet="balance", sheet_alias="资产负债",
)
FF_GOALS = Table(
    "goals",
    (
        Column("goal", "目标", "text", required=True),
        Column("target_amount", "目标金额", "amount", required=True),
        Column("target_year", "目标年份", "int", required=True),
    ),
    sheet="goals", sheet_alias="理财目标",
)
FACT_FIND_SHEETS: tuple[Table, ...] = (FF_PROFILE, FF_FAMILY, FF_CASHFLOW, FF_BALANCE, FF_GOALS)

TABLES: dict[str, Table] = {t.name: t for t in (CLIENTS, STAFF, PRODUCTS, ACTIVITIES, CORPORATE_CLIENTS, HOLDINGS)}
