"""``core.lookups.or_404``: a selector's lookup for a page or an API operation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from etam.core.lookups import or_404


def test_or_404_returns_what_the_lookup_finds_passing_its_arguments_on():
    assert or_404(lambda user, pk, *, perm: (user, pk, perm), "ani", 7, perm="x") == ("ani", 7, "x")


def test_or_404_turns_nothing_found_or_not_visible_into_a_404():
    def lookup(pk):
        raise ObjectDoesNotExist(pk)

    with pytest.raises(Http404):
        or_404(lookup, 1)


def test_or_404_lets_other_errors_through():
    def lookup():
        raise ValueError("a bug, not a missing row")

    with pytest.raises(ValueError, match="a bug"):
        or_404(lookup)
