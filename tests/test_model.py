"""The data model: what the fast constructors make is the dataclass's own instance."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from compiler.model import Link, new_link


def test_a_link_made_fast_is_the_link_its_constructor_makes():
    slow = Link(raw="T#H|x", target="T", headings=("H",), block=None, display="x", embed=False, line=3, column=5,
                origin="body", key=None)
    fast = new_link("T#H|x", "T", ("H",), None, "x", False, 3, 5, "body")
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert [f.name for f in dataclasses.fields(Link)] == list(vars(fast))  # every field, in order
    assert pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.line = 4  # type: ignore[misc]
