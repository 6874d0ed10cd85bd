"""The words of the plan month's actions, said from the domain's codes through the text layer.

The planners (toolkit.branch.visits, greetings, forum, actions) return codes, numbers and notices;
the work lists, the calendar and the report's sections all read their words here, so visits.xlsx,
visits.ics and the notebook say the same thing in the same language.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import pandas as pd

from toolkit.base.notices import Notice
from toolkit.report.text import label, say, say_notice


def fill_text(template: str, index: pd.Index, **values: object) -> pd.Series:
    """A vectorised str.format: each {name} takes the matching Series (row by row) or plain value."""
    out = pd.Series("", index=index, dtype=object)
    for literal, name, _, _ in string.Formatter().parse(template):
        out = out + literal
        if name is not None:
            value = values[name]
            out = out + (value.astype(str) if isinstance(value, pd.Series) else str(value))
    return out


def visit_reasons(schedule: pd.DataFrame, language: str = "zh") -> pd.Series:
    """Why each visit is planned, for staff: the outflow watch first, then never visited, days
    overdue or the due date (from the columns reason, last_visit, days_overdue and due_date)."""
    idx = schedule.index
    last = schedule["last_visit"].dt.strftime("%Y-%m-%d")
    never = schedule["last_visit"].isna()
    overdue = ~never & (schedule["days_overdue"].fillna(0) > 0)
    status = np.select(
        [never, overdue],
        [say("visits.never_visited", language),
         fill_text(say("visits.overdue", language), idx, n=schedule["days_overdue"], last=last)],
        fill_text(say("visits.due", language), idx, due=schedule["due_date"].dt.strftime("%Y-%m-%d"), last=last))
    status = pd.Series(status, index=idx, dtype=object)
    sep = say("visits.sep", language)
    outflow = say("visits.outflow_watch", language) + sep
    status = status.where(schedule["reason"] != "outflow_watch", outflow + status)
    if "handover" in schedule:
        status = status.where(~schedule["handover"].astype(bool), status + sep + say("visits.handover", language))
    if "bring_assessment" in schedule:  # a client due for a risk assessment (toolkit.branch.assessments)
        status = status.where(~schedule["bring_assessment"].astype(bool),
                              status + sep + say("practice.visit_assessment", language))
    return status


def unscheduled_reasons(unscheduled: pd.DataFrame, language: str = "zh") -> pd.Series:
    """Why each due client was not scheduled (reason: no_maintainer, maintainer_not_in_branch,
    month_limit, capacity), and the first date it could be fitted."""
    idx, reason = unscheduled.index, unscheduled["reason"]
    text = np.select(
        [reason == "no_maintainer", reason == "maintainer_not_in_branch", reason == "month_limit"],
        [say("visits.no_maintainer", language),
         fill_text(say("visits.maintainer_not_in_branch", language), idx, id=unscheduled["maintainer_id"]),
         fill_text(say("visits.month_limit", language), idx, staff=unscheduled["staff_name"])],
        fill_text(say("visits.capacity", language), idx, staff=unscheduled["staff_name"]))
    text = pd.Series(text, index=idx, dtype=object)
    if "first_date" in unscheduled:
        dates = unscheduled["first_date"].dt.strftime("%Y-%m-%d")
        colleague = reason.isin(["no_maintainer", "maintainer_not_in_branch"])
        first = fill_text(say("visits.first_date", language), idx, date=dates).where(
            ~colleague, fill_text(say("visits.first_date_colleague", language), idx, date=dates))
        text = text.where(unscheduled["first_date"].isna(), text + say("visits.sep", language) + first)
    return text


def occasion_labels(occasions: pd.Series, language: str = "zh") -> pd.Series:
    """Greeting occasion codes (birthday, spring_festival, mid_autumn, wedding …) as words."""
    return occasions.map(lambda code: say(f"greetings.occasion.{code}", language))


def _day_text(days: pd.Series, language: str) -> pd.Series:
    """10月3日 in Chinese, 3 Oct in English."""
    return fill_text(say("greetings.day", language), days.index, month=days.dt.month, day=days.dt.day,
                     mon=days.dt.strftime("%b"))


def greeting_texts(greetings: pd.DataFrame, language: str = "zh") -> pd.Series:
    """What to do for each occasion: the tier, then flowers or a gift by the maintainer on the date,
    or an SMS on the day, and why a gift became an SMS (toolkit.branch.greetings rows)."""
    idx = greetings.index
    who = greetings["staff_name"].astype(object).where(greetings["staff_name"].notna(),
                                                       say("greetings.nobody", language))
    dated = greetings["date"].notna()
    args = {"birthday": _day_text(greetings["occasion_date"], language), "staff": who,
            "date": _day_text(greetings["date"].where(dated, greetings["occasion_date"]), language),
            "occasion": occasion_labels(greetings["occasion"], language)}
    text = fill_text(say("greetings.flowers_or_gift", language), idx, **args).where(
        greetings["action"] == "flowers_or_gift", fill_text(say("greetings.sms", language), idx, **args))
    text = text.where(greetings["note"] != "gift_too_late", text + say("greetings.gift_too_late", language))
    return (greetings["tier"].map(lambda code: label(str(code), language)) + " · " + text).astype(str)


def forum_title(language: str = "zh") -> str:
    return say("forum.title", language)


def salon_title(theme: str, language: str = "zh") -> str:
    """The salon's name from its theme (a product line), e.g. 基金主题沙龙."""
    return say("salon.title", language, theme=label(theme, language))


def step_labels(timeline: pd.DataFrame, language: str = "zh", prefix: str = "forum") -> pd.Series:
    """A forum's (or, with prefix 'salon', a salon's) timeline step codes as the steps staff read."""
    return timeline["step"].map(lambda step: say(f"{prefix}.step.{step}", language))


def coverage_issues(issues: pd.Series, language: str = "zh") -> pd.Series:
    """Why a top client was handed over (no_maintainer, left, other_branch), as words."""
    return issues.map(lambda code: say(f"coverage.issue.{code}", language))


def said(notices: list[Notice] | Notice | None, language: str = "zh") -> Any:
    """A notice, or each of a list of notices, as sentences (None stays None)."""
    if notices is None:
        return None
    if isinstance(notices, Notice):
        return say_notice(notices, language)
    return [say_notice(n, language) for n in notices]


def describe_lines(codes: pd.Series, language: str = "zh") -> pd.Series:
    """Comma-separated product-line codes (watch.product_gaps' `missing`) as a list of labels ('基金、保险')."""
    sep = say("plan.list_sep", language)
    return codes.map(lambda m: sep.join(label(x, language) for x in str(m).split(",") if x))
