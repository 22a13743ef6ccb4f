"""The walidata decision forms (``opendata.forms._DecisionForm``): the decision that sends the
matter back needs a comment, the other does not."""

import pytest
from django.utils import translation

from etam.opendata.forms import AccessReviewForm, ReviewForm


@pytest.mark.parametrize(
    ("form_class", "back", "onward", "message"),
    [
        (ReviewForm, "return", "publish", "explain what the data producer must fix"),
        (AccessReviewForm, "refuse", "approve", "explain why the access stays as it is"),
    ],
)
def test_sending_back_needs_a_comment(form_class, back, onward, message):
    assert form_class({"decision": onward, "comment": ""}).is_valid()
    assert form_class({"decision": back, "comment": "Perbaiki kolom tahun."}).is_valid()
    refused = form_class({"decision": back, "comment": "  "})
    assert not refused.is_valid()
    with translation.override("en"):
        assert message in refused.errors["comment"][0]
    assert list(refused.fields) == ["decision", "comment"]
    assert not form_class({"decision": "other", "comment": "x"}).is_valid()
