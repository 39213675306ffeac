"""``manage.py seed_demo``'s assembly: the core's reference data, then each app's own demo
builder, in arrow order (core <- children <- volunteers <- pairing <- campaign).

A builder is a callable ``build(context: DemoContext) -> DemoPart``, living in its app's
``demo.py``; it reads the shared context (seed, anchor day, counties, schools, organisations,
accounts, demo size), writes its rows idempotently for that seed, and says what it did. A new
app's demo data is one more line in ``BUILDERS``.
"""

from __future__ import annotations

from collections.abc import Callable

from children import demo as children_demo
from huzhou_care.demo.services import (
    DEFAULT_PASSWORD,
    DemoContext,
    DemoPart,
    DemoResult,
    demo_reference_ensure,
)
from pairing import demo as pairing_demo
from volunteers import demo as volunteers_demo

from . import timeline_demo
from .evaluation import demo as evaluation_demo
from .programmes import demo as programmes_demo

Builder = Callable[[DemoContext], DemoPart]

BUILDERS: list[Builder] = [
    children_demo.build,
    volunteers_demo.build,
    pairing_demo.build,
    timeline_demo.build,
    programmes_demo.build,
    # campaign's other builders: one line each.
    evaluation_demo.build,  # last: it counts what the others wrote
]


def demo_seed(
    *, children: int, seed: int, password: str = DEFAULT_PASSWORD, stdout=None
) -> DemoResult:
    """Make sure the demo reference data and accounts exist (the core), then run every app's
    builder for ``seed``. Idempotent per seed; a larger ``children`` only adds the difference.
    Raises ``ValidationError`` for a weak password, ``ValueError`` for N < 0."""
    if children < 0:
        raise ValueError("children must be >= 0")
    reference = demo_reference_ensure(
        seed=seed, children=children, password=password, stdout=stdout
    )
    parts = [build(reference.context) for build in BUILDERS]
    return DemoResult(
        password=password,
        accounts=reference.context.accounts,
        schools_created=reference.schools_created,
        organizations_created=reference.organizations_created,
        anchor=reference.context.anchor,
        parts=parts,
    )
