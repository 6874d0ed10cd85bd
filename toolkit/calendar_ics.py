"""visits.ics: the plan month's visits, the forum (with its preparation steps) and the salons.

Each event's UID is derived from what it is (branch, month, client), not from when the file was
written, so importing a re-run plan updates the events instead of duplicating them; SEQUENCE
grows with the export time so calendars accept the newer copy. Phones only appear masked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from toolkit.forum import ForumPlan, SalonPlan
from toolkit.periods import period_of
from toolkit.privacy import mask_phones
from toolkit.schema import label

TIMEZONE = ZoneInfo("Asia/Shanghai")
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "clientcare")
_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_TEXT = {
    "zh": {"calendar": "{branch} 客户维护计划", "visit": "上门拜访：{name}（{staff}）", "client_id": "客户号",
           "tier": "客户层级", "aum": "金融资产", "district": "区域", "phone": "手机号", "reason": "拜访原因",
           "staff": "维护人", "invitees": "邀请人数", "expected": "预计到场", "hosts": "主持人",
           "budget": "预算合计", "step": "座谈会筹备：{step}", "sep": "、", "colon": "："},
    "en": {"calendar": "{branch} client care plan", "visit": "Home visit: {name} ({staff})",
           "client_id": "Client ID",
           "tier": "Tier", "aum": "AUM", "district": "District", "phone": "Phone", "reason": "Reason",
           "staff": "Staff", "invitees": "Invitees", "expected": "Expected guests", "hosts": "Hosts",
           "budget": "Total budget", "step": "Forum preparation: {step}", "sep": ", ", "colon": ": "},
}


def event_uid(*parts: object) -> str:
    """A UID that depends only on the parts, e.g. ('visit', branch, '2026-11', client_id)."""
    return f"{uuid.uuid5(_NAMESPACE, '|'.join(str(p) for p in parts))}@clientcare"


def _event(uid: str, summary: str, stamp: dt.datetime, start: object, end: object,
           description: str = "", location: str | None = None, busy: bool = True) -> icalendar.Event:
    """A VEVENT; start/end are local datetimes (Asia/Shanghai) or dates (all-day, end exclusive)."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", int((stamp - _EPOCH).total_seconds() // 60))
    event.add("summary", summary)
    for key, value in (("dtstart", start), ("dtend", end)):
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=TIMEZONE)
        event.add(key, value)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    return event


def _visit_events(branch_id: str, schedule: pd.DataFrame, stamp: dt.datetime, language: str,
                  t: dict[str, str]) -> list[icalendar.Event]:
    shown = schedule.assign(phone=mask_phones(schedule["phone"]))
    events = []
    for row in shown.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        timed = not pd.isna(row.start)
        start = pd.Timestamp(row.start).to_pydatetime() if timed else day
        end = pd.Timestamp(row.end).to_pydatetime() if timed else day + dt.timedelta(days=1)
        details = [(t["client_id"], row.client_id), (t["tier"], label(str(row.tier), language)),
                   (t["aum"], f"{row.aum:,.0f}"), (t["district"], row.district), (t["phone"], row.phone),
                   (t["reason"], row.reason_text), (t["staff"], f"{row.staff_name} ({row.staff_id})")]
        description = "\n".join(f"{k}{t['colon']}{v}" for k, v in details if not pd.isna(v))
        events.append(_event(event_uid("visit", branch_id, period_of(day), row.client_id),
                             t["visit"].format(name=row.name, staff=row.staff_name), stamp, start, end,
                             description, None if pd.isna(row.district) else str(row.district)))
    return events


def _forum_events(branch_id: str, forum: ForumPlan, stamp: dt.datetime,
                  t: dict[str, str]) -> list[icalendar.Event]:
    """The forum itself, and each preparation or follow-up step as an all-day reminder."""
    year, colon = forum.date.year, t["colon"]
    description = "\n".join([
        f"{t['invitees']}{colon}{len(forum.invitees)}", f"{t['expected']}{colon}{forum.expected_guests}",
        f"{t['hosts']}{colon}{t['sep'].join(forum.hosts['name'])}",
        f"{t['budget']}{colon}{forum.budget['total']:,.0f}", forum.past_forum])
    uid = event_uid("forum", branch_id, year)
    events = [_event(uid, forum.title, stamp, forum.start, forum.end, description)]
    for step in forum.timeline.loc[forum.timeline["offset_days"] != 0].itertuples(index=False):
        day = pd.Timestamp(step.date).date()
        events.append(_event(event_uid("forum-step", branch_id, year, step.step),
                             t["step"].format(step=step.label), stamp, day, day + dt.timedelta(days=1),
                             busy=False))
    return events


def write_ics(path: str | Path, branch_id: str, visits_schedule: pd.DataFrame, forum: ForumPlan | None = None,
              salons: Sequence[SalonPlan] = (), language: str = "zh",
              stamp: dt.datetime | None = None) -> Path:
    """Write the calendar; `stamp` (UTC, default now) fixes DTSTAMP/SEQUENCE for reproducible files."""
    t = _TEXT["zh" if language == "zh" else "en"]
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Clientcare//Branch plan//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t["calendar"].format(branch=branch_id))
    cal.add("x-wr-timezone", TIMEZONE.key)
    for event in _visit_events(branch_id, visits_schedule, stamp, language, t):
        cal.add_component(event)
    if forum is not None:
        for event in _forum_events(branch_id, forum, stamp, t):
            cal.add_component(event)
    for salon in salons:
        if salon.start is not None:
            description = f"{t['invitees']}{t['colon']}{len(salon.invitees)}"
            cal.add_component(_event(event_uid("salon", branch_id, period_of(salon.start), salon.theme),
                                     salon.title, stamp, salon.start, salon.end, description))
    cal.add_missing_timezones()
    path = Path(path)
    path.write_bytes(cal.to_ical())
    return path
