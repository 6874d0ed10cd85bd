"""The branch plan's words: every one from the text layer, thresholds quoted from the branch's settings."""

from __future__ import annotations

from types import SimpleNamespace

from tests.branch.test_analytics import CLIENTS, STAFF
from toolkit.base.settings import Thresholds
from toolkit.branch.analytics import analyse_branch
from toolkit.branch.kpi import FIVE, KPI_KEYS
from toolkit.branch.ranking import ranking_columns
from toolkit.report import branch_sections
from toolkit.report.network_sections import headers


def _kpi_section(thresholds: Thresholds | None, language: str) -> str:
    analytics = analyse_branch(CLIENTS, STAFF, "B1", thresholds=thresholds)
    plan = SimpleNamespace(analytics=analytics, language=language)
    return " ".join(str(item) for item in branch_sections.kpis(plan)[:2])  # heading and the KPI table


def test_default_thresholds_read_as_before():
    meanings = branch_sections.kpi_meanings("zh")
    assert meanings["product_coverage_rate"] == "挖：持有 3 条及以上产品线的客户占比"
    assert meanings["top20_aum_share"] == "前 20% 客户持有的资产占比（集中度）"
    assert branch_sections.kpi_labels("en")["top20_aum_share"] == "Top-20% AUM share"


def test_a_branch_with_other_thresholds_reads_its_own_numbers():
    own = Thresholds(coverage_min_lines=4, top_share=0.25)
    zh, en = _kpi_section(own, "zh"), _kpi_section(own, "en")
    assert "持有 4 条及以上产品线" in zh and "前 25% 客户持有的资产占比" in zh and "前25%资产占比" in zh
    assert "3 条及以上" not in zh and "前 20%" not in zh and "前20%" not in zh
    assert "holding 4+ product lines" in en and "top 25% of clients" in en and "Top-25% AUM share" in en
    assert "持有 3 条及以上产品线" in _kpi_section(None, "zh")


def test_threshold_shares_are_quoted_without_noise():
    assert [branch_sections.share_text(x) for x in (0.2, 0.125, 1 - 0.9, 1.0)] == ["20%", "12.5%", "10%", "100%"]


def test_every_kpi_and_ranking_column_has_words_in_both_languages():
    for language in ("zh", "en"):
        names, meanings = branch_sections.kpi_labels(language), branch_sections.kpi_meanings(language)
        assert set(names) == set(meanings) == set(KPI_KEYS)
        head = headers(language)
        for col in [*ranking_columns(), *(f"rank_{k.rank_measure}" for k in FIVE)]:
            assert head[col] and head[col] != col
    assert headers("zh")["rank_client_growth_rate"] == "抢名次" and headers("en")["client_growth_rate"] == \
        "Win: client growth"


def test_code_labels_have_one_source():
    """The schema's Chinese code words (input aliases) and the report's labels agree while both exist."""
    from toolkit.base.schema import ZH_LABELS
    from toolkit.report.text import label

    assert {code: label(code, "zh") for code in ZH_LABELS} == ZH_LABELS


def test_the_word_table_has_every_language_for_every_key():
    """The word tables (report/words/*.tsv): one row per text and a column per report language; a missing English text would
    otherwise show up as a blank in an English report."""
    from toolkit.report import text

    assert text.LANGUAGES == ("zh", "en") and len(text.WORDS) > 400
    assert all(len(row) == len(text.LANGUAGES) for row in text.WORDS.values())
    blank_en = sorted(k for k, (zh, en) in text.WORDS.items() if zh and not en)
    # English has no word after the page count ("Page 3 of 14"), and does not count in 万 (said in yuan)
    assert blank_en == ["page.after", "proposal.money.wan"]


def test_a_malformed_word_table_fails_loudly(tmp_path):
    import pytest

    from toolkit.report.text import _read_words

    (tmp_path / "w.tsv").write_text("key\tzh\ten\na.b\t甲\tA\na.b\t乙\tB\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="w.tsv:3"):
        _read_words(tmp_path / "w.tsv")
    (tmp_path / "h.tsv").write_text("key\tzh\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="header"):
        _read_words(tmp_path / "h.tsv")


def test_a_key_in_two_word_tables_fails_loudly(tmp_path):
    """One key, one text: the per-document word tables must not define the same key twice."""
    import pytest

    from toolkit.report.text import _read_all

    (tmp_path / "a.tsv").write_text("key\tzh\ten\nx.y\t甲\tA\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("key\tzh\ten\nx.y\t乙\tB\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="b.tsv.*x.y"):
        _read_all(tmp_path)


def test_action_sections_say_the_hand_out_the_handovers_and_the_events():
    """The action sections read the planning: the hand-out date, who covers a top client, the
    greetings rule, the forum with its venue; both languages, names masked."""
    import datetime as dt

    from tests.branch.test_actions import params
    from tests.branch.test_visits import client_book, staff_table
    from toolkit.branch.actions import plan_branch
    from toolkit.report import action_sections

    staff = staff_table([("S0", "陈行长", "branch_president", None), ("S2", "李理财", "financial_advisor", None)])
    clients = client_book([{"client_id": "A", "name": "张三丰", "aum": 5e6, "birth_date": "1970-11-20"},
                           {"client_id": "C", "tier": "wealth", "aum": 3e5, "maintainer_id": "S2"}])
    forum = {"window": ["2026-11-01", "2026-11-30"], "capacity": 10, "venue": "三楼会议室"}
    for language, words in (("zh", ("本计划2026-11-02下发", "代为拜访", "三楼会议室", "陈行长", "生日关怀")),
                            ("en", ("handed out on 2026-11-02", "Covered in this plan", "三楼会议室",
                                    "陈行长", "Birthday and festival greetings"))):
        p = params(forum=forum, language=language)
        planning = plan_branch(clients, staff, None, "2026-10", p, set(), as_of=dt.date(2026, 11, 2))
        plan = SimpleNamespace(planning=planning, params=p, language=language)
        text = " ".join(str(x) for f in (action_sections.coverage, action_sections.visits, action_sections.greetings,
                                         action_sections.forum) for x in f(plan))
        for word in words:
            assert word in text, (language, word)
        assert "张三丰" not in text and "张*丰" in text  # masked


def test_a_maintainer_not_on_the_staff_list_is_named_so() -> None:
    """A list's maintainer column: "name (id)", or the id and that they are not on the staff list
    (left the bank), never a bare "(id)"."""
    from types import SimpleNamespace

    import pandas as pd

    from toolkit.report.branch_sections import _with_staff_name

    staff = pd.DataFrame({"staff_id": ["S1"], "name": ["王经理"]})
    rows = pd.DataFrame({"maintainer_id": ["S1", "S9", None]})
    for language, gone in (("zh", "S9（不在员工名单）"), ("en", "S9 (not on the staff list)")):
        plan = SimpleNamespace(inputs=SimpleNamespace(staff=staff), language=language)
        assert _with_staff_name(plan, rows)["maintainer_id"].tolist() == ["王经理 (S1)", gone, ""]
