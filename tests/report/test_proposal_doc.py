"""The proposal's document parts are built in fmt's one autoescaping environment: a value from an input
(bank and branch names from a params file, the advisor from the staff table) is text, never markup."""

from __future__ import annotations

import pandas as pd

from tests.client.test_proposal import AS_OF, SHELF, book, fact_find
from toolkit.client.proposal import build_proposal
from toolkit.report import fmt, proposal_doc

HOSTILE = '<img src=x onerror="alert(1)">'


def test_one_environment_for_every_report_fragment():
    env = fmt._environment()
    assert env.autoescape is True
    assert all(t.environment is env for t in proposal_doc._COMPILED.values())


def test_cover_and_advisor_notes_escape_input_values():
    staff = pd.DataFrame({"staff_id": ["S01"], "name": [HOSTILE], "branch_id": ["B001"],
                          "role": ["wealth_manager"], "phone": ["<b>1</b>"]})
    p = build_proposal(fact_find(), SHELF, AS_OF, client_rows=book(), advisor="S01", staff=staff,
                       bank_name=HOSTILE, branch_name="<i>支行</i>")
    page = "".join(str(x) for x in proposal_doc.cover(p)) + proposal_doc.advisor_notes_html(p)
    assert "<img" not in page and "<b>1" not in page and "<i>支行" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page and "&lt;i&gt;支行&lt;/i&gt;" in page
