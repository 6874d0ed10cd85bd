"""Data-quality warnings: in-scope clients only, counted, listed as codes (said in both languages by the
report layer), never fatal."""

from __future__ import annotations

import pandas as pd

from tests.conftest import canonical_clients
from toolkit.base.notices import Notice
from toolkit.base.settings import Thresholds
from toolkit.branch.maintainers import assign_maintainers
from toolkit.branch.quality import KINDS, counts, data_quality, warnings
from toolkit.branch.tiers import classify
from toolkit.report.branch_sections import quality_label, quality_messages
from toolkit.report.text import say_notice


def warning_lines(dq: pd.DataFrame, language: str = "zh", thresholds: Thresholds | None = None) -> list[str]:
    return [say_notice(n, language) for n in warnings(dq, thresholds)]


def frame(rows: list[dict]) -> pd.DataFrame:
    return classify(canonical_clients(rows, name="赵六"))


BOOK = frame([
    {"client_id": "q1", "funds": 60_000.0, "birth_date": None, "maintainer_id": "T1"},
    {"client_id": "q2", "funds": 300_000.0, "birth_date": None, "risk_level": None, "maintainer_id": "F1"},
    {"client_id": "q3", "funds": 300_000.0, "maintainer_id": "GONE"},
    {"client_id": "q4", "funds": 300_000.0, "maintainer_id": "X1"},
    {"client_id": "q5", "funds": 3_000_000.0},                                  # no wealth manager in B1
    {"client_id": "q6", "funds": 1_000.0, "birth_date": None, "risk_level": None, "maintainer_id": "GONE"},
])
STAFF = pd.DataFrame({"staff_id": ["T1", "F1", "X1"], "name": ["甲", "乙", "丙"], "branch_id": ["B1", "B1", "B2"],
                      "role": ["teller", "financial_advisor", "financial_advisor"]})


def test_listed_per_client_in_scope_only():
    dq = data_quality(BOOK, STAFF)
    assert dq[["client_id", "kind"]].astype(str).values.tolist() == [
        ["q1", "no_birth_date"], ["q2", "no_birth_date"], ["q2", "no_risk_level"], ["q3", "maintainer_unknown"],
        ["q4", "maintainer_other_branch"], ["q5", "no_staff_for_role"]]
    assert quality_messages(dq).tolist()[:4] == ["缺少出生日期（按60岁以下计）", "缺少出生日期（按60岁以下计）",
                                          "未做风险评估（只能推荐R1产品）", "维护人GONE不在员工名单中（可能已离职）"]
    assert counts(dq) == {"no_birth_date": 2, "no_risk_level": 1, "maintainer_unknown": 1,
                          "maintainer_other_branch": 1, "no_staff_for_role": 1}


def test_the_given_assignment_is_used_and_english_messages():
    dq = data_quality(BOOK, STAFF, assign_maintainers(BOOK, STAFF))
    en = quality_messages(dq, "en")
    assert en[dq["kind"] == "maintainer_other_branch"].tolist() == ["maintainer X1 belongs to another branch"]
    assert en[dq["kind"] == "no_birth_date"].iloc[0] == "no birth date (counted as under 60)"
    assert quality_messages(dq, "en", Thresholds(potential_b_max_age=55))[0] == "no birth date (counted as under 55)"


def test_the_rules_return_codes_not_words():
    dq = data_quality(BOOK, STAFF)
    assert list(dq.columns) == ["client_id", "kind", "maintainer_id"]
    assert dq.loc[dq["kind"] == "maintainer_unknown", "maintainer_id"].tolist() == ["GONE"]
    found = warnings(dq, Thresholds(potential_b_max_age=55))
    assert all(isinstance(n, Notice) for n in found)
    assert found[0] == Notice("quality.count.no_birth_date", {"n": 2, "age": 55})


def test_warning_lines_count_each_kind():
    dq = data_quality(BOOK, STAFF)
    assert warning_lines(dq) == [
        "2 位维护对象缺少出生日期（按60岁以下计）", "1 位维护对象未做风险评估",
        "1 位维护对象的维护人不在员工名单中（可能已离职）", "1 位维护对象的维护人属于其他机构",
        "1 位维护对象因本机构无对应岗位员工而未分配维护人"]
    assert warning_lines(dq, "en")[0] == "2 maintained clients have no birth date (counted as under 60)"
    assert warning_lines(dq, thresholds=Thresholds(potential_b_max_age=55))[0] == "2 位维护对象缺少出生日期（按55岁以下计）"


def test_a_clean_book_has_no_warnings():
    clean = BOOK.iloc[[0]].assign(birth_date=pd.Timestamp("1980-01-01"))
    dq = data_quality(clean, STAFF)
    assert dq.empty and warning_lines(dq) == [] and set(counts(dq)) == set(KINDS)


def test_every_kind_has_a_report_label_in_both_languages():
    for kind in KINDS:
        zh, en = quality_label(kind, "zh"), quality_label(kind, "en")
        assert zh != kind and en != kind and not zh.isascii() and en.isascii()
    assert quality_label("left", "en") == "Maintainer not in the staff list"  # a maintainer issue code
    assert quality_label("something_new") == "something_new"
