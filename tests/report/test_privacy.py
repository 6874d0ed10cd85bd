import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from toolkit.report.privacy import mask_frame, mask_name, mask_names, mask_phone, mask_phones


def test_contract_examples():
    assert mask_name("张三丰") == "张*丰" and mask_name("王五") == "王*" and mask_name("欧阳娜娜") == "欧**娜"
    assert mask_phone("13812345678") == "138****5678"


@given(st.lists(st.one_of(st.none(), st.text(min_size=0, max_size=6)), max_size=20))
def test_vectorised_names_match_scalar(names):
    s = pd.Series(names, dtype=object)
    got = mask_names(s).tolist()
    want = [mask_name(x) for x in names]
    assert [None if pd.isna(g) else g for g in got] == [None if (w is None or pd.isna(w)) else w for w in want]


@given(st.lists(st.one_of(st.none(), st.from_regex(r"\A1[3-9]\d{9}\Z")), max_size=20))
def test_phones_keep_only_first_three_and_last_four(phones):
    masked = mask_phones(pd.Series(phones, dtype=object))
    for raw, m in zip(phones, masked, strict=True):
        if raw is None:
            assert pd.isna(m)
        else:
            assert m == raw[:3] + "****" + raw[-4:] == mask_phone(raw)


def test_mask_frame_leaves_other_columns():
    df = pd.DataFrame({"name": ["李四"], "phone": ["13900001111"], "client_id": ["007"]})
    out = mask_frame(df)
    assert out.to_dict("records") == [{"name": "李*", "phone": "139****1111", "client_id": "007"}]
    assert df.loc[0, "name"] == "李四"
