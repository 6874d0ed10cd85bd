"""The parts of the proposal that make it a document: the cover, what the risk levels mean, the full
risk disclosure, the validity and signature page — and, apart from the client's document, the
advisor notes (advisor_notes.html) and summary.json (CONTRACT §7).

Advisor notes (65+ and 双录, an expired or missing assessment, the 500万 marketing flag, the internal
tier, data problems) are written only to advisor_notes.html and summary.json `advisor_notes`, never
into the notebook's output, so they cannot reach the client's HTML or PDF. Markup comes from one
autoescaping Jinja environment: every value from an input is escaped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolkit.base.notices import notice
from toolkit.client.proposal import Proposal
from toolkit.client.suitability import SuitabilityStatus
from toolkit.report.fmt import Html, bullet_list, compile_templates, heading, paragraph, table
from toolkit.report.proposal_words import level_text, say_notice
from toolkit.report.text import label, say, words

_TEMPLATES = {
    "cover": (
        '<section class="cc-cover" style="break-after: page; page-break-after: always; padding: 2.5em 0 1em;">'
        '<p style="font-size: 1.05em; color: #555; margin: 0;">{{ bank }}</p>'
        '<p style="font-size: 1.6em; font-weight: bold; margin: 0.4em 0 1.2em;">{{ who }}</p>'
        '<table class="cc-table" style="max-width: 32em;"><tbody>'
        '{% for name, value in rows %}<tr><th class="txt nw" style="text-align: left; width: 9em;">{{ name }}</th>'
        '<td class="txt">{{ value }}</td></tr>{% endfor %}</tbody></table></section>'
    ),
    "numbered": '<ol class="cc-list">{% for item in items %}<li>{{ item }}</li>{% endfor %}</ol>',
    "signature": (
        '<div style="break-inside: avoid; page-break-inside: avoid;">'
        '<p>{{ confirm }}</p>'
        '{% for who in signers %}<div style="display: flex; flex-wrap: wrap; align-items: flex-end; '
        'gap: 0.4em 0.6em; margin-top: 2.2em;">'
        '<span style="white-space: nowrap;">{{ who }}</span>'
        '<span style="flex: 1 1 10em; border-bottom: 1px solid #333; height: 1.4em;"></span>'
        '<span style="white-space: nowrap;">{{ date }}</span>'
        '<span style="flex: 1 1 7em; border-bottom: 1px solid #333; height: 1.4em;"></span></div>{% endfor %}'
        '</div>'
    ),
    "notes_page": (
        '<!DOCTYPE html><html lang="{{ lang }}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title>'
        '<style>body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;max-width:48em;margin:2em auto;'
        'padding:0 1em;line-height:1.6;color:#1f2937}h1{font-size:1.4em;color:#b91c1c}'
        'li{margin:.4em 0}</style></head><body><h1>{{ title }}</h1><p>{{ client }}</p>'
        '{% if notes %}<ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>'
        '{% else %}<p>{{ none }}</p>{% endif %}</body></html>'
    ),
}


# Compiled on import in fmt's one autoescaping environment, as fmt's fragments are: the warm kernel
# template imports this module, so a proposal's kernel starts with them ready.
_COMPILED = compile_templates(_TEMPLATES)


def _render(name: str, **context: Any) -> str:
    return _COMPILED[name].render(**context)


def _t(p: Proposal) -> dict[str, str]:
    return words("proposal.t", p.language)


def keep(fragment: Any) -> Html:
    """A short table or block kept on one page (its caption never ends a page on its own)."""
    return Html(f'<div style="break-inside: avoid; page-break-inside: avoid;">{fragment}</div>')


def wide(fragment: Any, min_width: int = 600) -> Html:
    """A wide table that scrolls sideways on a phone instead of running off the page (print is wider)."""
    return Html(f'<div style="overflow-x: auto; max-width: 100%;"><div style="min-width: {int(min_width)}px;">'
                f'{fragment}</div></div>')


def numbered(items: list[str]) -> Html:
    """A numbered list of sentences."""
    return Html(_render("numbered", items=items))


def cover(p: Proposal) -> list[Any]:
    """Bank and branch, the client, the date, the advisor with their phone, and the validity."""
    t = _t(p)
    name = p.profile.get("name") or p.client_id
    rows = [(t["client"], name), (t["date"], p.as_of.isoformat())]
    if p.branch_name:
        rows.insert(0, (t["branch"], p.branch_name))
    adviser = p.advisor.get("name") or p.advisor.get("id")
    if adviser:
        rows.append((t["advisor"], adviser))
    if p.advisor.get("phone"):
        rows.append((t["phone"], p.advisor["phone"]))
    if p.valid_until:
        rows.append((t["valid_until"], p.valid_until.isoformat()))
    return [Html(_render("cover", bank=p.bank_name or "", who=t["cover_for"].format(name=name), rows=rows))]


def levels(p: Proposal) -> list[Any]:
    """What R1–R5 and C1–C5 mean, and which products each client level may buy."""
    import pandas as pd

    t, lang = _t(p), p.language
    cols = words("proposal.col", lang)
    products = pd.DataFrame({"level": [f"R{n}" for n in range(1, 6)],
                             "meaning": [say(f"proposal.level.R{n}", lang) for n in range(1, 6)]})
    clients = pd.DataFrame({"level": [level_text(f"C{n}", lang) for n in range(1, 6)],
                            "may_buy": [say("proposal.level.may_buy_one" if n == 1 else "proposal.level.may_buy", lang, n=n)
                                        for n in range(1, 6)]})
    return [heading(t["levels"]), paragraph(t["levels_intro"]),
            keep(table(products, columns=["level", "meaning"], labels={**cols, "level": cols["risk_rating"]},
                       language=lang)),
            keep(table(clients, columns=["level", "may_buy"], labels={**cols, "level": t["risk"]}, language=lang))]


def disclosure_points(status: SuitabilityStatus, language: str = "zh") -> list[str]:
    """The full risk disclosure, one point per item, naming the client's level and ceiling."""
    who = (say("proposal.disclosure.who", language, level=status.risk_level, label=label(status.risk_level, language))
           if status.risk_level and not status.needs_assessment else say("proposal.disclosure.who_none", language))
    points = [say(f"proposal.disclosure.{i}", language, ceiling=f"R{status.max_product_risk}", who=who)
              for i in range(1, 7)]
    if status.extra_care:
        points.append(say("proposal.disclosure.age", language, limit=status.extra_care_age))
    return points


def disclosure(p: Proposal) -> list[Any]:
    return [heading(_t(p)["disclosure"]), Html(f'<div class="cc-disclosure">{bullet_list(disclosure_points(p.status, p.language))}</div>')]


def signature(p: Proposal) -> list[Any]:
    """The validity period and a signature and date line for the client and the advisor."""
    t = _t(p)
    months = round((p.valid_until - p.as_of).days / 30.44) if p.valid_until else 0
    parts: list[Any] = [heading(t["sign"])]
    if p.valid_until:
        parts.append(paragraph(t["validity"].format(as_of=p.as_of.isoformat(), months=months,
                                                    until=p.valid_until.isoformat())))
    parts.append(Html(_render("signature", confirm=t["confirm"], signers=[t["sign_client"], t["sign_advisor"]],
                              date=t["sign_date"])))
    return [keep("".join(str(x) for x in parts))]  # the signature page is never split


def client_service_lines(p: Proposal) -> list[str]:
    """The service plan as the client reads it: the next review and the contact cadence (the forum
    list, the last visit and an overdue visit are the advisor's business)."""
    s = p.service_plan
    lines = [notice("proposal.service.review", review=s["next_review"].isoformat(),
                    months=round((s["next_review"] - p.as_of).days / 30.44))]
    if s.get("cadence_months"):
        key = "proposal.service.visits_monthly" if s["cadence_months"] == 1 else "proposal.service.visits"
        lines.append(notice(key, cadence=s["cadence_months"], due=s["next_visit_due"].isoformat(), late=None))
    else:
        lines.append(notice("proposal.service.phone_only"))
    return [say_notice(n, p.language) for n in lines]


def advisor_note_texts(p: Proposal) -> list[str]:
    """The advisor notes as sentences, each once, with the service lines the client does not see."""
    s = p.service_plan
    extra = [n for n in s.get("lines", [])
             if n.key in ("proposal.service.last_visit", "proposal.service.no_visit", "proposal.service.forum")
             or (n.key.startswith("proposal.service.visits") and s.get("visit_overdue"))]
    return list(dict.fromkeys(say_notice(n, p.language) for n in [*p.advisor_notes, *extra]))


def summary_json(p: Proposal) -> dict[str, Any]:
    """CONTRACT §7 proposal summary.json: the model's summary with its texts worded."""
    out = p.summary()
    lang = p.language
    out["actions"] = [{**a, "text": say_notice(a["text"], lang)} for a in out["actions"]]
    out["advisor_notes"] = advisor_note_texts(p)
    out["warnings"] = list(dict.fromkeys(say_notice(w, lang) for w in out["warnings"]))
    return out


def advisor_notes_html(p: Proposal) -> str:
    """advisor_notes.html: the notes for the advisor only, a page of its own."""
    t = _t(p)
    return _render("notes_page", lang="zh-CN" if p.language == "zh" else "en", title=t["notes_title"],
                   client=t["notes_client"].format(cid=p.client_id, as_of=p.as_of.isoformat()),
                   notes=advisor_note_texts(p), none=t["notes_none"])


def write_outputs(p: Proposal, folder: str | Path) -> list[Path]:
    """summary.json (CONTRACT §7) and advisor_notes.html beside the rendered proposal."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = folder / "summary.json"
    summary.write_text(json.dumps(summary_json(p), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    notes = folder / "advisor_notes.html"
    notes.write_text(advisor_notes_html(p), encoding="utf-8")
    return [summary, notes]
