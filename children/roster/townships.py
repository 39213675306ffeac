"""Match the township a roster row names with the county's townships.

A roster may name a township by its current name (雉城街道), by a former name kept in the
committed table of renames (雉城镇, ``huzhou_care/orgs/data/township_renames.csv``), or by its
name without 镇/乡/街道 (练市) when that short form is unique in the county. How each name was
matched is remembered, so that the preview can say which rows were read that way. A name that
does not match gets the county's closest townships as suggestions, and a name that belongs to
another Huzhou county says which county.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from huzhou_care.orgs.divisions import read_renames
from huzhou_care.orgs.models import OrgUnit

SUFFIXES = ("街道", "镇", "乡")
EXACT, FORMER, SHORT = "exact", "former", "short"


def short_name(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Match:
    pk: int
    name: str  # the current name
    how: str  # EXACT, FORMER or SHORT
    changed: str = ""  # for FORMER: when it was renamed (as the table gives it)


@dataclass
class _County:
    name: str
    names: dict[str, Match] = field(default_factory=dict)  # every accepted spelling
    current: list[str] = field(default_factory=list)


def _counties() -> dict[int, _County]:
    """Every Huzhou county's accepted township spellings: two small queries and one file."""
    counties = {
        pk: _County(name)
        for pk, name in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).values_list("pk", "name")
    }
    by_code = {}
    shorts: dict[int, Counter] = defaultdict(Counter)
    rows = list(
        OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).values_list(
            "pk", "name", "code", "parent_id"
        )
    )
    for pk, name, code, parent_id in rows:
        county = counties.get(parent_id)
        if county is None:
            continue
        county.names[name] = Match(pk, name, EXACT)
        county.current.append(name)
        by_code[code] = (pk, name, parent_id)
        shorts[parent_id][short_name(name)] += 1
    for pk, name, _code, parent_id in rows:
        short = short_name(name)
        # A short form is accepted only when no other township of the county shares it.
        if parent_id in counties and short != name and shorts[parent_id][short] == 1:
            counties[parent_id].names.setdefault(short, Match(pk, name, SHORT))
    for rename in read_renames():
        current = by_code.get(rename["current_code"])
        if current is None:
            continue
        pk, name, parent_id = current
        match = Match(pk, name, FORMER, rename["changed"])
        counties[parent_id].names.setdefault(rename["former_name"], match)
        short = short_name(rename["former_name"])
        if shorts[parent_id][short] == 0:
            counties[parent_id].names.setdefault(short, match)
    return counties


class TownshipMatcher:
    """Matches names for one county (the uploading school's) and remembers the rows matched
    by a former or short name, for the preview."""

    def __init__(self, county_id: int):
        self._all = _counties()
        self.county = self._all[county_id]
        self.county_id = county_id
        # (written, current name, how, changed) -> row numbers
        self.matched: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
        # rows whose township is another county's, by that county's name
        self.foreign: Counter = Counter()

    def match(self, written: str, row_number: int) -> Match | None:
        name = "".join(str(written).split())
        found = self.county.names.get(name)
        if found is not None and found.how != EXACT:
            self.matched[(name, found.name, found.how, found.changed)].append(row_number)
        return found

    def other_county(self, written: str) -> str | None:
        """The other Huzhou county that has a township of this name, if exactly one does
        (counted, for the file-level message; call once per row)."""
        name = "".join(str(written).split())
        owners = [
            county.name
            for pk, county in self._all.items()
            if pk != self.county_id and name in county.names
        ]
        if len(owners) != 1:
            return None
        self.foreign[owners[0]] += 1
        return owners[0]

    def suggestions(self, written: str, n: int = 3) -> list[str]:
        """The county's townships closest to the name (by characters shared, in order)."""
        name = short_name("".join(str(written).split()))
        scored = sorted(
            (
                (difflib.SequenceMatcher(None, name, short_name(current)).ratio(), current)
                for current in self.county.current
            ),
            key=lambda pair: -pair[0],
        )
        close = [current for score, current in scored if score >= 0.3][:n]
        return close or [current for _, current in scored[:n]]

    def notices(self) -> list[str]:
        """One line per spelling matched by a former or short name, with its rows."""
        lines = []
        for (written, current, how, changed), rows in sorted(
            self.matched.items(), key=lambda item: item[1][0]
        ):
            shown = "、".join(str(r) for r in rows[:10]) + ("等" if len(rows) > 10 else "")
            if how == FORMER:
                when = f"，{_when(changed)}更名或并入" if changed else ""
                reason = f"是「{current}」的原名称{when}"
            else:
                reason = f"是「{current}」的简称"
            lines.append(
                f"第 {shown} 行（共 {len(rows)} 行）的乡镇(街道)「{written}」{reason}，"
                f"已按「{current}」导入。"
            )
        return lines


def _when(changed: str) -> str:
    """'2014-02' -> '2014年2月'; '..2012-12' -> '2012年12月前'; '2002..2023-06' -> '2002年后'."""

    def one(text: str) -> str:
        parts = text.split("-")
        out = f"{parts[0]}年"
        if len(parts) > 1:
            out += f"{int(parts[1])}月"
        if len(parts) > 2:
            out += f"{int(parts[2])}日"
        return out

    if ".." in changed:
        start, end = changed.split("..")
        return f"{one(start)}后" if start else f"{one(end)}前"
    return one(changed)
