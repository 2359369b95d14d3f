"""What a person's conditions rule out, as one rule every choice goes through.

The conditions are data (catalogue/data/conditions.toml): each names the demands (motions,
ranges and positions, anatomy.DEMANDS) it rules out, and a hip replacement's approach picks a
variant ("unknown", the default, is the union of all of them). Every drill and lunge direction
lists its demands, so one function decides for drills and directions alike: the base week,
swaps, owed-minute drills, easier drills, standing twins and the lunge session all ask here.

`--no-kneeling` ("kneeling hurts my knees") counts as knee pain: every drill that loads a knee,
and every drill the catalogue marks as not for knee pain, is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from triplane.core.anatomy import DEMANDS
from triplane.core.catalogue.model import Catalogue, Drill, LungeDirection, LungeMatrix
from triplane.core.records import Settings

KNEE_PAIN = "knee_pain"  # the condition --no-kneeling stands for
HIP_REPLACEMENT = "hip_replacement"  # the condition whose variant is the surgical approach


@dataclass(frozen=True)
class Restrictions:
    """The person's conditions, resolved: which condition ids apply and which demands are out,
    each with the condition that rules it out (for the sentence that says why)."""

    conditions: tuple[tuple[str, str], ...] = ()  # (condition id, label), in force
    ruled_out: tuple[tuple[str, str], ...] = ()  # (demand, label of the condition ruling it out)
    no_kneeling: bool = False

    @property
    def condition_ids(self) -> frozenset[str]:
        return frozenset(c for c, _ in self.conditions)

    @property
    def demands(self) -> frozenset[str]:
        return frozenset(d for d, _ in self.ruled_out)

    def why_not(self, demands: Iterable[str], contraindications: Iterable[str] = ()) -> str | None:
        """None when allowed, else a short reason: 'hip replacement: the leg across the midline'."""
        labels = dict(self.conditions)
        for c in contraindications:
            if c in labels:
                return f"not for {labels[c]}"
        by_demand = dict(self.ruled_out)
        for d in demands:
            if d in by_demand:
                return f"{by_demand[d]}: {DEMANDS[d]}"
        return None


def restrictions_for(catalogue: Catalogue, settings: Settings) -> Restrictions:
    """The restrictions of the settings' conditions (with the hip approach) and kneeling."""
    ids = list(dict.fromkeys(settings.conditions))
    if not settings.kneeling_ok and KNEE_PAIN not in ids:
        ids.append(KNEE_PAIN)
    conditions: list[tuple[str, str]] = []
    ruled_out: dict[str, str] = {}
    for cid in ids:
        cond = catalogue.conditions.get(cid)
        if cond is None:
            continue  # an id the catalogue no longer knows rules nothing out
        label = cond.label
        variant = settings.hip_approach if cid == HIP_REPLACEMENT else None
        if cid == HIP_REPLACEMENT and cond.default_variant is not None:
            label = f"{label}, {variant or cond.default_variant} approach"
        conditions.append((cid, label))
        for d in cond.demands_ruled_out(variant):
            ruled_out.setdefault(d, label)
    return Restrictions(tuple(conditions), tuple(ruled_out.items()), not settings.kneeling_ok)


def drill_ruled_out(drill: Drill, r: Restrictions) -> str | None:
    """Why the drill is left out for this person, or None when it is allowed."""
    if r.no_kneeling and drill.loads_knee:
        return "no kneeling: weight on a knee"
    return r.why_not(drill.demands, drill.contraindications)


def drill_allowed(drill: Drill, r: Restrictions) -> bool:
    return drill_ruled_out(drill, r) is None


def direction_ruled_out(direction: LungeDirection, r: Restrictions) -> str | None:
    return r.why_not(direction.demands)


def allowed_directions(matrix: LungeMatrix, r: Restrictions) -> tuple[LungeDirection, ...]:
    """The lunge directions a person's conditions allow, in the matrix's order."""
    return tuple(d for d in matrix.directions if direction_ruled_out(d, r) is None)


def ruled_out_directions(matrix: LungeMatrix, r: Restrictions) -> tuple[tuple[str, str], ...]:
    """(direction id, why) for each direction left out."""
    out: list[tuple[str, str]] = []
    for d in matrix.directions:
        why = direction_ruled_out(d, r)
        if why is not None:
            out.append((d.id, why))
    return tuple(out)


def standing_twin(catalogue: Catalogue, drill: Drill, r: Restrictions) -> Drill | None:
    """The drill's standing version, only when the person's conditions allow it."""
    twin = catalogue.drills.get(drill.standing_version or "")
    return twin if twin is not None and drill_allowed(twin, r) else None
