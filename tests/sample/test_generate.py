"""The sample network: reproducible, shaped like a real book, and written as the contract says."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from toolkit.base.schema import ASSET_COLUMNS, CLIENTS, CORPORATE_ROLES, ROLES, TIERS, ZH_LABELS
from toolkit.inputs.factfind import load_fact_find
from toolkit.inputs.params import load_branch_params, load_client_params
from toolkit.inputs.tables import load_activities, load_clients, load_products, load_staff
from toolkit.sample import generate as sample
from toolkit.sample.generate import CARD_LEVELS, generate_network, tier_codes, write_network, write_sample

END = "2026-10"


@pytest.fixture(scope="module")
def net() -> sample.SampleNetwork:
    return generate_network(end_period=END)  # the default size: 3 branches x 3,000 clients, 13 months


@pytest.fixture(scope="module")
def book(net: sample.SampleNetwork) -> pd.DataFrame:
    """The clients with AUM and tier code per row."""
    c = net.clients.copy()
    c["aum"] = c[list(ASSET_COLUMNS)].sum(axis=1)
    age = ((c["snapshot_date"] - c["birth_date"]).dt.days / 365.25).to_numpy()
    c["tier"] = tier_codes(c["aum"].to_numpy(), c["credit_card_annual_spend"].to_numpy(),
                           c["loan_balance"].to_numpy(), c["custody_margin"].to_numpy(),
                           c["card_level"].map(CARD_LEVELS.index).to_numpy(), age)
    return c


def _snapshot(book: pd.DataFrame, k: int) -> pd.DataFrame:
    dates = sorted(book["snapshot_date"].unique())
    return book[book["snapshot_date"] == dates[k]].set_index("client_id")


def test_same_seed_same_frames_and_another_seed_differs(net: sample.SampleNetwork) -> None:
    again = generate_network(end_period=END)
    for name in ("clients", "staff", "products", "activities"):
        pd.testing.assert_frame_equal(getattr(net, name), getattr(again, name), check_exact=True)
    assert net.fact_finds == again.fact_finds and net.branch_names == again.branch_names
    other = generate_network(branches=1, clients_per_branch=300, seed=7, end_period=END)
    first = generate_network(branches=1, clients_per_branch=300, seed=42, end_period=END)
    assert not other.clients["demand_deposit"].equals(first.clients["demand_deposit"])


def test_canonical_columns_types_and_snapshots(net: sample.SampleNetwork) -> None:
    c = net.clients
    assert list(c.columns) == CLIENTS.names
    assert c["snapshot_date"].dtype == "datetime64[ns]" and c["birth_date"].dtype == "datetime64[ns]"
    amounts = c[[*ASSET_COLUMNS, "credit_card_annual_spend", "loan_balance"]]
    assert (amounts.dtypes == "float64").all() and amounts.notna().all().all() and (amounts >= 0).all().all()
    dates = pd.DatetimeIndex(sorted(c["snapshot_date"].unique()))
    assert len(dates) == 13 and dates[-1] == pd.Timestamp("2026-10-31") and dates[0] == pd.Timestamp("2025-10-31")
    assert dates.is_month_end.all()
    assert set(c["card_level"]) == set(CARD_LEVELS)
    assert set(c["risk_level"].dropna()) == {"C1", "C2", "C3", "C4", "C5"} and c["risk_level"].isna().any()
    assert set(c["gender"].dropna()) == {"M", "F"}
    assert c["phone"].dropna().str.fullmatch(r"1\d{10}").all() and c["phone"].isna().any()
    assert c["district"].nunique() >= 12 and not c.duplicated(["snapshot_date", "client_id"]).any()
    assert net.branch_names == {"B001": "瓯海支行", "B002": "鹿城支行", "B003": "龙湾支行"}


def test_ids_are_text_with_leading_zeros(net: sample.SampleNetwork) -> None:
    ids = net.clients["client_id"]
    assert ids.str.fullmatch(r"\d{10}").all()
    assert (ids.str[:3] == net.clients["branch_id"].str[1:]).all()  # B001 -> 001xxxxxxx
    assert ids.str.startswith("00").all()


def test_long_tail_every_branch_has_dozens_over_2m_and_some_over_10m(book: pd.DataFrame) -> None:
    last = _snapshot(book, -1)
    per_branch = last.groupby("branch_id")["aum"]
    assert (per_branch.apply(lambda s: (s >= 2_000_000).sum()) >= 24).all()
    assert (per_branch.apply(lambda s: (s >= 10_000_000).sum()) >= 1).all()
    in_scope = (last["tier"] > 0).mean()
    assert 0.4 <= in_scope <= 0.6
    assert set(last["tier"]) == set(range(len(TIERS)))
    lines = (last[[*ASSET_COLUMNS, "credit_card_annual_spend", "loan_balance"]] > 0).sum(axis=1)
    mean_lines = lines.groupby(last["tier"]).mean()
    assert mean_lines.is_monotonic_increasing  # product mix grows with wealth


def test_ages_between_22_and_90_with_a_few_missing(book: pd.DataFrame) -> None:
    last = _snapshot(book, -1)
    age = (last["snapshot_date"] - last["birth_date"]).dt.days / 365.25
    assert age.min() >= 22 and age.max() <= 90.01 and age.max() > 80
    assert 0 < last["birth_date"].isna().mean() < 0.05


def test_month_to_month_churn_new_upgrades_downgrades_and_outflows(book: pd.DataFrame) -> None:
    base, current = _snapshot(book, -2), _snapshot(book, -1)
    for branch in ("B001", "B002", "B003"):
        b = base[(base["branch_id"] == branch) & (base["tier"] > 0)]
        c = current[(current["branch_id"] == branch) & (current["tier"] > 0)]
        both = b.index.intersection(c.index)
        assert len(b.index.difference(c.index)) > 0 and len(c.index.difference(b.index)) > 0
        assert (c.loc[both, "tier"] > b.loc[both, "tier"]).any()
        assert (c.loc[both, "tier"] < b.loc[both, "tier"]).any()
        drop = b.loc[both, "aum"] - c.loc[both, "aum"]
        assert ((drop >= 0.3 * b.loc[both, "aum"]) & (drop >= 100_000)).sum() >= 1


def test_staff_of_every_role_per_branch(net: sample.SampleNetwork) -> None:
    staff = net.staff
    assert staff["staff_id"].is_unique and staff["staff_id"].str.fullmatch(r"S\d{6}").all()
    roles = staff.groupby("branch_id")["role"].agg(set)
    assert roles.index.tolist() == ["B001", "B002", "B003"] and all(r == {*ROLES, *CORPORATE_ROLES} for r in roles)
    assert staff["max_visits_per_month"].dtype == "Int64"
    assert staff["max_visits_per_month"].isna().any() and staff["max_visits_per_month"].notna().any()
    bigger = generate_network(branches=1, clients_per_branch=6000, months=2, end_period=END).staff
    assert (bigger["role"] == "teller").sum() > (staff[staff["branch_id"] == "B001"]["role"] == "teller").sum()


def test_maintainers_mostly_set_some_missing_some_departed(book: pd.DataFrame, net: sample.SampleNetwork) -> None:
    last = _snapshot(book, -1)
    scoped = last[last["tier"] > 0]
    known = scoped["maintainer_id"].isin(set(net.staff["staff_id"]))
    assert known.mean() > 0.8
    assert scoped["maintainer_id"].isna().any()
    assert (scoped["maintainer_id"].notna() & ~known).any()  # staff who left the bank
    roles = net.staff.set_index("staff_id")["role"]
    private = scoped[(scoped["tier"] == TIERS.index("private_wealth")) & known]
    role_of = private["maintainer_id"].map(roles)
    assert (role_of == "wealth_manager").mean() > 0.7 and (role_of != "wealth_manager").any()


def test_product_shelf_spans_risks_and_categories(net: sample.SampleNetwork) -> None:
    p = net.products
    assert 25 <= len(p) <= 40 and p["product_id"].is_unique
    assert set(p["risk_rating"]) == {"R1", "R2", "R3", "R4", "R5"}
    assert set(p["category"]) == set(ASSET_COLUMNS)
    assert p["expected_return"].isna().any() and (p["expected_return"].dropna() < 0.1).all()
    assert p["term_days"].dtype == "Int64" and (p["min_amount"] >= 0).all()
    assert p["name"].str.contains("国债2026").any()


def test_a_year_of_activities_and_one_past_forum_per_branch(net: sample.SampleNetwork) -> None:
    a = net.activities
    assert set(a["kind"]) == {"visit", "call", "sms", "gift", "event"}
    end = pd.Timestamp("2026-10-31")
    assert a["date"].max() <= end and a["date"].min() >= end - pd.Timedelta(days=366)
    assert a["date"].is_monotonic_increasing
    assert a["staff_id"].isin(set(net.staff["staff_id"])).all()
    forum = a[a["kind"] == "event"]
    assert (forum["note"] == "年度客户座谈会").all()
    per_branch = forum.groupby(forum["client_id"].str[:3])["date"].agg(["nunique", "min", "size"])
    assert len(per_branch) == 3 and (per_branch["nunique"] == 1).all() and (per_branch["size"] > 10).all()
    assert per_branch["min"].dt.to_period("M").isin([pd.Period("2025-12"), pd.Period("2025-11")]).all()
    visits = a[a["kind"] == "visit"]
    assert (visits["date"].dt.dayofweek < 5).all()


def test_visits_follow_the_cadence_with_some_missed(net: sample.SampleNetwork, book: pd.DataFrame) -> None:
    last = _snapshot(book, -1)
    top = last[(last["tier"] == TIERS.index("private_wealth"))
               & last["maintainer_id"].isin(set(net.staff["staff_id"]))].index
    visits = net.activities[net.activities["kind"] == "visit"]
    latest = visits.groupby("client_id")["date"].max().reindex(top)
    days_ago = (pd.Timestamp("2026-10-31") - latest).dt.days
    assert (days_ago <= 45).mean() > 0.7  # monthly cadence for private & wealth clients
    assert (days_ago > 45).any()  # … but some were missed and are overdue
    per_year = visits.groupby("client_id").size().reindex(top)
    assert per_year.median() >= 10


def test_fact_finds_agree_with_the_book(net: sample.SampleNetwork) -> None:
    assert len(net.fact_finds) == 3
    last = net.clients[net.clients["snapshot_date"] == net.clients["snapshot_date"].max()].set_index("client_id")
    as_of = dt.date(2026, 11, 1)
    for ff in net.fact_finds:
        profile = ff["profile"]
        row = last.loc[profile["client_id"]]
        assert row["name"] == profile["name"] and row["risk_level"] == profile["risk_level"]
        assert row["birth_date"].date() == profile["birth_date"]
        held = {b["item"]: b["amount"] for b in ff["balance"] if b["type"] in ("liquid", "financial")}
        assert held == {ZH_LABELS[c]: row[c] for c in ASSET_COLUMNS if row[c] > 0}
        debt = sum(b["amount"] for b in ff["balance"] if b["type"] == "liability")
        assert debt == row["loan_balance"]
        assert row["maintainer_id"] in set(net.staff["staff_id"])
    family, senior, stale = net.fact_finds
    assert family["profile"]["risk_level"] == "C3"
    assert {"子女教育", "退休养老"} <= {g["goal"] for g in family["goals"]}
    assert any("购房" in g["goal"] for g in family["goals"])
    assert (as_of - senior["profile"]["birth_date"]).days / 365.25 >= 65
    assert (as_of - stale["profile"]["risk_assessed_on"]).days > 365
    assert (as_of - family["profile"]["risk_assessed_on"]).days < 365


def test_write_sample_files_and_params(tmp_path: Path) -> None:
    written = write_sample(tmp_path / "data", branches=2, clients_per_branch=200, months=4, end_period=END)
    assert [Path(p).name for p in written["clients"]] == [f"clients_2026{m:02d}.csv" for m in (7, 8, 9, 10)]
    raw = Path(written["clients"][0]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").startswith('"数据日期","客户号"')
    for path in written["branch_params"]:
        text = Path(path).read_text(encoding="utf-8")
        assert "period:" not in text and str(tmp_path) not in text  # paths stay relative
        params = load_branch_params(path)
        assert len(params.data.clients) == 4 and all(Path(p).is_file() for p in params.data.clients)
        assert all(Path(p).is_file() for p in (params.data.staff, params.data.products, params.data.activities))
        assert params.forum is not None and params.forum.window[0] == dt.date(2026, 12, 10)
        assert params.forum.window[1] == dt.date(2026, 12, 28)
    assert [Path(p).stem for p in written["branch_params"]] == ["B001", "B002"]
    staff = load_staff(load_branch_params(written["branch_params"][0]).data.staff)
    assert len(written["client_params"]) == 3
    for path in written["client_params"]:
        params = load_client_params(path)
        assert Path(params.fact_find).is_file() and Path(params.data.products).is_file()
        assert len(params.data.clients) == 4 and params.as_of == dt.date(2026, 11, 1)
        assert params.advisor in set(staff["staff_id"])
        assert load_fact_find(params.fact_find).client_id == params.client_id
        assert re.fullmatch(r"\d{10}", Path(path).stem) and f"client_id: '{params.client_id}'" in Path(path).read_text(
            encoding="utf-8")


def test_written_tables_load_back_to_the_same_frames(tmp_path: Path) -> None:
    net = generate_network(branches=2, clients_per_branch=150, months=3, end_period=END)
    for fmt in ("csv", "parquet", "xlsx"):
        written = write_network(net, tmp_path / fmt, fmt=fmt)
        assert all(p.endswith(f".{fmt}") for p in written["clients"])
        loaded = load_clients(written["clients"])
        for col in CLIENTS.names:
            a, b = net.clients[col], loaded[col]
            if a.dtype == "float64":
                np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=f"{fmt} {col}")
            else:
                assert a.astype(object).where(a.notna(), None).tolist() == \
                    b.astype(object).where(b.notna(), None).tolist(), f"{fmt} {col}"
    assert set(pd.read_parquet(tmp_path / "parquet" / "clients" / "clients_202610.parquet").columns) == set(
        CLIENTS.names)
    staff = load_staff(tmp_path / "csv" / "staff.xlsx")
    assert staff["role"].tolist() == net.staff["role"].tolist()
    assert staff["max_visits_per_month"].tolist() == net.staff["max_visits_per_month"].tolist()
    products = load_products(tmp_path / "csv" / "products.xlsx")
    pd.testing.assert_series_equal(products["expected_return"], net.products["expected_return"])
    activities = load_activities(tmp_path / "csv" / "activities.csv")
    assert activities["kind"].tolist() == net.activities["kind"].tolist()
    assert (activities["date"] == net.activities["date"]).all()


def test_auto_format_switches_to_parquet_for_large_books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = generate_network(branches=1, clients_per_branch=100, months=2, end_period=END)
    assert write_network(net, tmp_path / "a")["clients"][0].endswith(".csv")
    monkeypatch.setattr(sample, "CSV_MAX_CLIENTS", 50)
    assert write_network(net, tmp_path / "b")["clients"][0].endswith(".parquet")


def test_rewriting_removes_files_of_an_earlier_sample(tmp_path: Path) -> None:
    out = tmp_path / "data"
    write_sample(out, branches=2, clients_per_branch=100, months=3, end_period=END)
    (out / "params" / "branches" / "mine.yaml").write_text("branch_id: X\n", encoding="utf-8")
    written = write_sample(out, branches=1, clients_per_branch=100, months=2, end_period="2026-08")
    assert sorted(p.name for p in (out / "clients").iterdir()) == ["clients_202607.csv", "clients_202608.csv"]
    assert sorted(p.name for p in (out / "params" / "branches").iterdir()) == ["B001.yaml", "mine.yaml"]
    assert sorted(p.name for p in (out / "fact_finds").iterdir()) == sorted(
        Path(p).name for p in written["fact_finds"])
    assert yaml.safe_load((out / "params" / "branches" / "B001.yaml").read_text(encoding="utf-8"))["forum"][
        "window"][0] == dt.date(2026, 10, 10)


@pytest.mark.parametrize("kwargs", [{"months": 1}, {"branches": 0}, {"clients_per_branch": 5},
                                    {"end_period": "2026-13"}])
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        generate_network(**kwargs)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fmt"):
        write_sample(tmp_path, fmt="json", branches=1, clients_per_branch=20, months=2)
