"""The stand-ins of chalicelib/lazy.py: the composition root's adapters are built on their first use."""

from __future__ import annotations

from types import SimpleNamespace

from chalicelib.lazy import on_first_use


def test_a_stand_in_builds_its_object_on_first_use_only_and_once() -> None:
    # Given a stand-in for an object, not used yet
    builds: list[SimpleNamespace] = []

    def build() -> SimpleNamespace:
        builds.append(SimpleNamespace(answer=42))
        return builds[-1]

    stand_in = on_first_use(build)
    assert builds == []

    # When it is used twice
    answers = (stand_in.answer, stand_in.answer)

    # Then the object was built once, and the stand-in answered as it does
    assert answers == (42, 42)
    assert len(builds) == 1
