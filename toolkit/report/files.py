"""The files a branch render writes beside its report: summary.json and the staff work lists.

The branch plan is one model (toolkit.branch.plan); these files are rendered from it, like the
report's sections, never recomputed beside it. Phones are masked in every work list; names stay,
staff need them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.branch.actions import BranchPlanning
from toolkit.branch.analytics import BranchAnalytics
from toolkit.branch.plan import BranchPlan
from toolkit.branch.practices import PracticePlan
from toolkit.report.calendar_ics import calendar_events, write_ics, write_staff_ics
from toolkit.report.practice_lists import practice_events, write_practice_sheets
from toolkit.report.summary import branch_summary
from toolkit.report.worklists import write_forum_invitees_xlsx, write_visits_xlsx, write_watch_sheets

#: The staff work lists, in the order `write_branch_files` returns them after summary.json.
WORK_FILES = ("visits.xlsx", "visits.ics", "forum_invitees.xlsx")


def write_branch_files(plan: BranchPlan, folder: str | Path) -> list[Path]:
    """summary.json (CONTRACT §7), visits.xlsx, visits.ics, forum_invitees.xlsx (always, with a
    note when there is no forum) and one visits_<staff_id>.ics per staff member in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "summary.json"
    summary.write_text(json.dumps(branch_summary(plan), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    staff = plan.inputs.staff
    names = dict(zip(staff["staff_id"].astype(str), staff["name"].astype(str), strict=True))
    return [summary, *write_work_lists(plan.planning, folder, plan.language, plan.params.branch_name,
                                       practices=plan.practices, staff_names=names, analytics=plan.analytics)]


def write_work_lists(planning: BranchPlanning, folder: str | Path, language: str = "zh",
                     branch_name: str | None = None, practices: PracticePlan | None = None,
                     staff_names: dict[str, str] | None = None,
                     analytics: BranchAnalytics | None = None) -> list[Path]:
    """visits.xlsx, visits.ics, forum_invitees.xlsx and the staff calendars of the plan month's
    actions, in `language` (the planning holds codes and notices only; the branch's params choose
    the language). With `practices`, visits.xlsx gains their sheets and the calendars the
    maturity calls and corporate contacts (toolkit.report.practice_lists); with `analytics`, the
    watch lists whole (`write_watch_sheets`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    events = calendar_events(planning.branch_id, planning.visits.schedule, planning.forum, planning.salons,
                             language, greetings=planning.greetings, branch_name=branch_name)
    names = _staff_names(planning)
    if practices is not None:
        events += practice_events(planning.branch_id, practices, dt.datetime.now(dt.UTC).replace(microsecond=0),
                                  language, staff=set(staff_names or ()))
        names = {**(staff_names or {}), **names}

    def extra(wb: Any) -> None:
        if analytics is not None:
            write_watch_sheets(wb, analytics, {**(staff_names or {}), **names}, language)
        if practices is not None:
            write_practice_sheets(wb, practices, names, language, visits=planning.visits.schedule)
    return [
        write_visits_xlsx(folder / WORK_FILES[0], planning.visits, language, greetings=planning.greetings,
                          missed=planning.missed_greetings, coverage=planning.coverage, extra=extra),
        write_ics(folder / WORK_FILES[1], planning.branch_id, planning.visits.schedule, planning.forum,
                  planning.salons, language, events=events),
        write_forum_invitees_xlsx(folder / WORK_FILES[2], planning.forum, language, planning.salons,
                                  note=planning.forum_note),
        *write_staff_ics(folder, planning.branch_id, events, names, language),
    ]


def _staff_names(planning: BranchPlanning) -> dict[str, str]:
    """staff_id -> name of everyone who has an event: visitors, greeters, hosts."""
    frames = [planning.visits.schedule[["staff_id", "staff_name"]],
              planning.greetings[["staff_id", "staff_name"]]]
    if planning.forum is not None:
        frames.append(planning.forum.hosts.rename(columns={"name": "staff_name"})[["staff_id", "staff_name"]])
    for salon in planning.salons:
        frames.append(salon.invitees.rename(columns={"maintainer_id": "staff_id"})[["staff_id", "staff_name"]])
        if salon.hosts is not None:
            frames.append(salon.hosts.rename(columns={"name": "staff_name"})[["staff_id", "staff_name"]])
    both = pd.concat(frames).dropna()
    return dict(zip(both["staff_id"].astype(str), both["staff_name"].astype(str), strict=True))
