"""Formula injection (issue 10, finding 4): no CSV or XLSX export Etam produces carries a live formula."""

from __future__ import annotations

import pytest

from etam.core.exports import neutralise, neutralise_arrow_batch

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil.example","klik")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise_prefixes_every_trigger(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Dinas Kominfo", "", "1-2", "a=b", -5, 3.5, None, True])
def test_neutralise_leaves_plain_text_and_numbers(value):
    assert neutralise(value) == value


def test_arrow_batch_neutralises_text_only():
    import pyarrow as pa

    batch = pa.RecordBatch.from_pydict(
        {
            "nama": ["=1+1", "biasa", None, "-x"],
            "angka": [-5, 2, 3, -1],
            "teks_besar": pa.array(["@a", "b", "c", "d"], pa.large_string()),
        }
    )
    out = neutralise_arrow_batch(batch)
    assert out.column(0).to_pylist() == ["'=1+1", "biasa", None, "'-x"]
    assert out.column(1).to_pylist() == [-5, 2, 3, -1]
    assert out.column(2).to_pylist() == ["'@a", "b", "c", "d"]
    assert out.schema == batch.schema


@pytest.mark.parametrize("typed", ["=1+1", "+62", "-5 unit", "@user", "\tx", "plain", "'own quote", "'"])
def test_restore_undoes_neutralise(typed):
    from etam.core.exports import neutralise, restore

    assert restore(neutralise(typed)) == typed
