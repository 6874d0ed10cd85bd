"""The sample's happy events: a few calls per branch whose notes name one, which the branch plan greets
(issue 14), added without changing any other table or activity of a seed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.sample import events
from toolkit.sample.events import HAPPY_NOTES, add_happy_events, happy_event_calls
from toolkit.sample.generate import generate_network, write_network

END = "2026-10"


def test_a_few_calls_per_branch_by_the_maintainer_in_the_last_weeks():
    net = generate_network(branches=2, clients_per_branch=900, months=2, end_period=END)
    a = net.activities
    happy = a.loc[a["note"].isin(HAPPY_NOTES)]
    assert (happy["kind"] == "call").all()
    per_branch = happy.groupby(happy["client_id"].str[:3]).size()
    assert len(per_branch) == 2 and (per_branch >= events.MIN_PER_BRANCH).all()
    assert set(happy["note"]) == set(HAPPY_NOTES)  # every kind of event appears
    end = pd.Timestamp("2026-10-31")
    assert happy["date"].between(end - pd.Timedelta(days=events.WITHIN_DAYS), end).all()
    assert (happy["date"].dt.dayofweek < 5).all()
    last = net.clients.loc[net.clients["snapshot_date"] == net.clients["snapshot_date"].max()]
    maintainer = last.set_index("client_id")["maintainer_id"]
    assert (happy["staff_id"].to_numpy() == maintainer.reindex(happy["client_id"]).to_numpy()).all()
    staff_branch = net.staff.set_index("staff_id")["branch_id"]
    assert (staff_branch.reindex(happy["staff_id"]).to_numpy() == happy["client_id"].str[:3].radd("B").to_numpy()).all()
    assert a["date"].is_monotonic_increasing


def test_the_other_activities_and_tables_are_those_of_the_seed():
    net = generate_network(branches=1, clients_per_branch=300, months=2, end_period=END, seed=7)
    before = net.activities.loc[~net.activities["note"].isin(HAPPY_NOTES)].reset_index(drop=True)
    # Adding the events again from a table without them gives the same activities: the other rows keep
    # their order and the events come from their own stream.
    net.activities = before
    again = add_happy_events(net, 7).activities
    pd.testing.assert_frame_equal(again.loc[~again["note"].isin(HAPPY_NOTES)].reset_index(drop=True), before)
    calls = happy_event_calls(net.clients, net.staff, END, events.events_rng(7))
    assert len(again) == len(before) + len(calls) > len(before)


def test_the_branch_plan_greets_them(tmp_path: Path):
    from toolkit.report.sources import load_plan

    net = generate_network(branches=1, clients_per_branch=800, months=2, end_period=END)
    written = write_network(net, tmp_path / "bank", params_dir=tmp_path / "params", fmt="csv")
    plan = load_plan(written["branch_params"][0], period=END)
    greetings = plan.planning.greetings
    happy = set(greetings.loc[~greetings["occasion"].isin(["birthday", "spring_festival", "mid_autumn"]),
                              "occasion"])
    assert happy and happy <= {"wedding", "admission", "baby", "new_home", "promotion"}
