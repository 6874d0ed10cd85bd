"""visits.ics and one visits_<staff_id>.ics per staff member: the plan month's visits, gift
deliveries, the forum (with its venue and preparation steps) and the salons (with their call days).

Each staff member imports only their own file: their visits, the gifts they deliver and the
events they host. Visits carry a LOCATION (the branch's area and the client's district), the
amounts with their unit, and a reminder the day before.

Each event's UID is derived from what it is (branch, month, client), not from when the file was
written, so importing a re-run plan updates the events instead of duplicating them; SEQUENCE
grows with the export time so calendars accept the newer copy. Phones only appear masked.

The events are serialised here (RFC 5545 §3.1 folding, §3.3.11 text escaping, local times with
TZID) rather than by icalendar's `to_ical`, which took 0.14 s per branch for ~560 events, a tenth
of a branch notebook's time; icalendar still builds the VTIMEZONE, and the tests read every file
back with icalendar's parser. Words come from the text layer (`ics.*` keys, and the visit reasons,
forum and salon titles of toolkit.report.actions_text).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from toolkit.base.ids import is_id
from toolkit.base.periods import period_of
from toolkit.branch.forum import ForumPlan, SalonPlan
from toolkit.report.actions_text import (
    forum_title,
    greeting_texts,
    occasion_labels,
    salon_title,
    step_labels,
    visit_reasons,
)
from toolkit.report.fmt import money
from toolkit.report.privacy import mask_phones
from toolkit.report.text import label, say, say_notice, words

TIMEZONE = ZoneInfo("Asia/Shanghai")
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "clientcare")
_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def event_uid(*parts: object) -> str:
    """A UID that depends only on the parts, e.g. ('visit', branch, '2026-11', client_id)."""
    return f"{uuid.uuid5(_NAMESPACE, '|'.join(str(p) for p in parts))}@clientcare"


def _text(value: object) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """One content line, folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte: step back
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # a continuation line starts with the folding space
    return "\r\n ".join(parts)


def _when(name: str, value: object) -> str:
    """DTSTART/DTEND: a local datetime (Asia/Shanghai, with TZID) or a date (all-day)."""
    if isinstance(value, dt.datetime):
        return f"{name};TZID={TIMEZONE.key}:{value:%Y%m%dT%H%M%S}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def event(uid: str, summary: str, stamp: dt.datetime, start: object, end: object,
           description: str = "", location: str | None = None, busy: bool = True,
           reminder: str | None = None) -> list[str]:
    """A VEVENT's lines; start/end are local datetimes (Asia/Shanghai) or dates (all-day, end exclusive).
    reminder: the text of a display alarm the day before (RFC 5545 §3.6.6, TRIGGER -P1D)."""
    lines = ["BEGIN:VEVENT", f"SUMMARY:{_text(summary)}", _when("DTSTART", start), _when("DTEND", end),
             f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}", f"UID:{uid}",
             f"SEQUENCE:{int((stamp - _EPOCH).total_seconds() // 60)}"]
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    lines.append(f"TRANSP:{'OPAQUE' if busy else 'TRANSPARENT'}")
    if reminder:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_text(reminder)}", "TRIGGER:-P1D", "END:VALARM"]
    return [*lines, "END:VEVENT"]


@functools.cache
def _vtimezone() -> str:
    """The VTIMEZONE of Asia/Shanghai, as icalendar builds it from the tz database."""
    return icalendar.Timezone.from_tzinfo(TIMEZONE).to_ical().decode("utf-8")


def warm() -> None:
    """Build the VTIMEZONE now (a kernel template does, once for all its kernels): ~0.05 CPU s."""
    _vtimezone()


#: An event and the staff whose own calendar it belongs in (empty: the branch calendar only).
Owned = tuple[frozenset[str], list[str]]


def area(branch_name: str | None) -> str:
    """The branch's area for a LOCATION (瓯海支行 -> 瓯海): a map search then finds the district's streets."""
    name = (branch_name or "").strip()
    for suffix in ("支行", "分行", "营业部", " Branch", " branch"):
        name = name.removesuffix(suffix)
    return name.strip()


def _amount(value: object, language: str) -> str:
    return say("ics.aum_value", language, amount=money(float(value), language))


def _visit_events(branch_id: str, schedule: pd.DataFrame, stamp: dt.datetime, language: str,
                  t: dict[str, str], place: str) -> list[Owned]:
    shown = schedule.assign(phone=mask_phones(schedule["phone"]), reason_text=visit_reasons(schedule, language))
    events = []
    for row in shown.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        timed = not pd.isna(row.start)
        start = pd.Timestamp(row.start).to_pydatetime() if timed else day
        end = pd.Timestamp(row.end).to_pydatetime() if timed else day + dt.timedelta(days=1)
        details = [(t["client_id"], row.client_id), (t["tier"], label(str(row.tier), language)),
                   (t["aum"], _amount(row.aum, language)), (t["district"], row.district), (t["phone"], row.phone),
                   (t["reason"], row.reason_text), (t["staff"], f"{row.staff_name} ({row.staff_id})")]
        description = "\n".join(f"{k}{t['colon']}{v}" for k, v in details if not pd.isna(v))
        district = None if pd.isna(row.district) else str(row.district)
        location = " ".join(x for x in (place, district) if x) if district else None
        summary = t["visit"].format(name=row.name, staff=row.staff_name)
        events.append((frozenset({str(row.staff_id)}),
                       event(event_uid("visit", branch_id, period_of(day), row.client_id), summary, stamp, start,
                              end, description, location, reminder=t["reminder"].format(summary=summary))))
    return events


def _gift_events(branch_id: str, greetings: pd.DataFrame, stamp: dt.datetime, language: str,
                 t: dict[str, str]) -> list[Owned]:
    """Gift deliveries (all-day, on the delivery date) with a reminder the day before to prepare them."""
    gifts = greetings.loc[(greetings["action"] == "flowers_or_gift") & greetings["date"].notna()]
    if gifts.empty:
        return []
    gifts = gifts.assign(text=greeting_texts(gifts, language), occasion_text=occasion_labels(gifts["occasion"],
                                                                                            language))
    action = say("worklist.action.flowers_or_gift", language)
    events = []
    for row in gifts.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        summary = t["gift"].format(action=action, name=row.name, occasion=row.occasion_text)
        owners = frozenset({str(row.staff_id)}) if not pd.isna(row.staff_id) else frozenset()
        uid = event_uid("gift", branch_id, row.occasion, pd.Timestamp(row.occasion_date).date(), row.client_id)
        events.append((owners, event(uid, summary, stamp, day, day + dt.timedelta(days=1),
                                      f"{t['client_id']}{t['colon']}{row.client_id}\n{row.text}", busy=False,
                                      reminder=t["reminder"].format(summary=summary))))
    return events


def _forum_events(branch_id: str, forum: ForumPlan, stamp: dt.datetime, language: str,
                  t: dict[str, str]) -> list[Owned]:
    """The forum itself, and each preparation or follow-up step as an all-day reminder; its hosts own them."""
    year, colon = forum.date.year, t["colon"]
    hosts = frozenset(str(s) for s in forum.hosts["staff_id"])
    description = "\n".join([
        *([f"{t['venue']}{colon}{forum.venue}"] if forum.venue else []),
        f"{t['invitees']}{colon}{len(forum.invitees)}", f"{t['expected']}{colon}{forum.expected_guests}",
        f"{t['hosts']}{colon}{t['sep'].join(forum.hosts['name'])}",
        f"{t['budget']}{colon}{money(forum.budget['total'], language)}", say_notice(forum.past_forum, language)])
    uid = event_uid("forum", branch_id, year)
    title = forum_title(language)
    events = [(hosts, event(uid, title, stamp, forum.start, forum.end, description, forum.venue,
                             reminder=t["reminder"].format(summary=title)))]
    timeline = forum.timeline.assign(label=step_labels(forum.timeline, language))
    for step in timeline.loc[timeline["offset_days"] != 0].itertuples(index=False):
        day = pd.Timestamp(step.date).date()
        events.append((hosts, event(event_uid("forum-step", branch_id, year, step.step),
                                     t["step"].format(step=step.label), stamp, day, day + dt.timedelta(days=1),
                                     busy=False)))
    return events


def _salon_events(branch_id: str, salon: SalonPlan, stamp: dt.datetime, language: str,
                  t: dict[str, str]) -> list[Owned]:
    """A salon and its call days; the host owns the salon, each invitee's maintainer the calls."""
    title = salon_title(salon.theme, language)
    hosts = frozenset(str(s) for s in salon.hosts["staff_id"]) if salon.hosts is not None else frozenset()
    callers = frozenset(str(s) for s in salon.invitees["maintainer_id"].dropna())
    lines = [f"{t['invitees']}{t['colon']}{len(salon.invitees)}"]
    if salon.hosts is not None and len(salon.hosts):
        lines.append(f"{t['salon_host']}{t['colon']}{t['sep'].join(salon.hosts['name'])}")
    uid = event_uid("salon", branch_id, period_of(salon.start), salon.theme)
    events = [(hosts, event(uid, title, stamp, salon.start, salon.end, "\n".join(lines), salon.venue,
                             reminder=t["reminder"].format(summary=title)))]
    if salon.timeline is not None:
        steps = salon.timeline.assign(label=step_labels(salon.timeline, language, "salon"))
        for step in steps.itertuples(index=False):
            day = pd.Timestamp(step.date).date()
            events.append((hosts | callers, event(
                event_uid("salon-step", branch_id, period_of(salon.start), salon.theme, step.step),
                t["salon_step"].format(title=title, step=step.label), stamp, day, day + dt.timedelta(days=1),
                busy=False)))
    return events


def _calendar(events: list[list[str]], name: str) -> bytes:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Clientcare//Branch plan//ZH", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)}", f"X-WR-TIMEZONE:{TIMEZONE.key}"]
    timed = any(line.startswith("DTSTART;TZID=") for lines in events for line in lines)
    body = [_fold(line) for lines in events for line in lines]
    text = "\r\n".join([*head, *([_vtimezone().rstrip("\r\n")] if timed else []), *body, "END:VCALENDAR"])
    return (text + "\r\n").encode("utf-8")


def calendar_events(branch_id: str, visits_schedule: pd.DataFrame, forum: ForumPlan | None = None,
                    salons: Sequence[SalonPlan] = (), language: str = "zh", stamp: dt.datetime | None = None,
                    greetings: pd.DataFrame | None = None, branch_name: str | None = None) -> list[Owned]:
    """Every event of the plan month with the staff it belongs to: visits (the visitor), gift
    deliveries (the maintainer), the forum and its steps (its hosts), salons (host; callers for the calls)."""
    t = words("ics", language)
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    events = _visit_events(branch_id, visits_schedule, stamp, language, t, area(branch_name))
    if greetings is not None:
        events += _gift_events(branch_id, greetings, stamp, language, t)
    if forum is not None:
        events += _forum_events(branch_id, forum, stamp, language, t)
    for salon in salons:
        if salon.start is not None:
            events += _salon_events(branch_id, salon, stamp, language, t)
    return events


def write_ics(path: str | Path, branch_id: str, visits_schedule: pd.DataFrame, forum: ForumPlan | None = None,
              salons: Sequence[SalonPlan] = (), language: str = "zh",
              stamp: dt.datetime | None = None, greetings: pd.DataFrame | None = None,
              branch_name: str | None = None, events: list[Owned] | None = None) -> Path:
    """Write the branch calendar; `stamp` (UTC, default now) fixes DTSTAMP/SEQUENCE for reproducible
    files; `events` (from `calendar_events`) when already built for the staff calendars."""
    if events is None:
        events = calendar_events(branch_id, visits_schedule, forum, salons, language, stamp, greetings,
                                 branch_name)
    path = Path(path)
    path.write_bytes(_calendar([e for _, e in events], say("ics.calendar", language, branch=branch_id)))
    return path


def staff_file(staff_id: str) -> str:
    """The file name of a staff member's own calendar, beside visits.ics."""
    return f"visits_{staff_id}.ics"


def write_staff_ics(folder: str | Path, branch_id: str, events: list[Owned], names: dict[str, str],
                    language: str = "zh") -> list[Path]:
    """One calendar per staff member who has an event (visits_<staff_id>.ics), from `calendar_events`;
    staff ids that are not ids (never a path) get no file."""
    mine: dict[str, list[list[str]]] = {}
    for owners, lines in events:
        for staff_id in owners:
            mine.setdefault(staff_id, []).append(lines)
    out = []
    for staff_id in sorted(s for s in mine if is_id(s)):
        path = Path(folder) / staff_file(staff_id)
        name = say("ics.calendar_staff", language, branch=branch_id, staff=names.get(staff_id, staff_id))
        path.write_bytes(_calendar(mine[staff_id], name))
        out.append(path)
    return out
