"""Lunge-matrix sets: repetitions segmented from a stream of frames, each rep analysed.

A rep starts when the more-bent knee leaves standing (under ``STAND`` degrees), counts when it
bends past ``MIN_DEPTH``, and ends back under ``STAND``. Not a lunge: a dip quicker than
``MIN_REP_SECONDS``, less than ``MIN_BEND`` degrees deeper than the start, hips not sinking
(``MIN_DROP``, a walking step), no foot stepping, or both feet moving (a jump).

Per rep: depth (knee and hip flexion of the working leg, the one bent most at the bottom), the
working knee's frontal-plane projection angle at the bottom, the largest forward trunk lean,
the largest pelvic drop from the start, the step direction (which lunge-matrix direction it
was) and the tempo.

Step direction: the stepping foot is the one that moved in the picture between the start and
the bottom of the rep (the planted one stays put: the camera does not move). A step straight
toward or away from the camera moves little in the picture: film lunges from the side or at
45 degrees. Its move relative
to the planted foot, in the horizontal plane of the person's starting facing, gives an angle:
0 forward, +90 to the stepping leg's own side, 180 back, negative across the body.

    anterior       within 40 degrees of straight forward
    lateral        40..110 to the own side, body still facing forward
    transverse     40..110 to the own side with the body or foot turned toward the step (> 45)
    posterolateral 110..155 to the own side
    posterior      within 25 degrees of straight back
    crossover      across the body (negative angles beyond -25)

Memory: only the frames of the rep in progress are kept (at most ``MAX_REP_SECONDS``).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from statistics import mean

STAND = 25.0  # knee flexion under which the person counts as standing
MIN_DEPTH = 45.0  # knee flexion a rep must reach
MAX_REP_SECONDS = 15.0
MIN_REP_SECONDS = 0.8  # quicker dips (landing from a jump) are not lunges
MIN_STEP_M = 0.2  # a lunge-matrix rep steps: the feet's relative position moves this much
MIN_BEND = 35.0  # knee flexion gained from the standing start (bias-free depth check)
PLANTED_MOVE = 0.25  # body sizes the planted foot may move in the picture (more: a jump)
MIN_DROP = 0.25  # body sizes the hips must sink in the picture (a walking step does not)
HOLD_WITHIN = 5.0  # degrees from the deepest point that count as the hold
TURN_FOR_TRANSVERSE = 45.0

Vec2 = tuple[float, float]


@dataclass
class LungeFrame:
    """What one (smoothed) frame contributes to the lunge analysis."""

    frame: int
    knee_flexion: dict[str, float | None]
    hip_flexion: dict[str, float | None]
    fppa: dict[str, float | None]
    trunk_flexion: float | None
    pelvic_obliquity: float | None
    ankle_world: dict[str, Vec2]  # horizontal position (x, z), metres, of each ankle
    ankle_image: dict[str, Vec2]  # pixels
    forward: Vec2  # the pelvis's forward direction, horizontal (x, z), unit
    foot: dict[str, Vec2]  # heel -> toe direction of each foot, horizontal (x, z)
    scale_px: float  # body size in pixels, to judge image motion
    hips_y: float = 0.0  # height of the hip centre in the picture, pixels (down positive)


@dataclass(frozen=True)
class Rep:
    number: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    stepping_side: str
    working_side: str
    direction: str
    step_angle: float
    turn: float
    depth_knee: float
    depth_hip: float | None
    fppa: float | None
    trunk_lean: float | None
    pelvic_drop: float | None
    pelvic_drop_side: str | None
    down_s: float
    hold_s: float
    up_s: float

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        return {k: (round(v, 1) if isinstance(v, float) else v) for k, v in d.items()}


def _angle(v: Vec2) -> float:
    return math.degrees(math.atan2(v[1], v[0]))


def _wrap(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


def classify(step_angle: float, turn: float) -> str:
    """Lunge-matrix direction from the step angle (see module doc) and the turn toward it."""
    a = step_angle
    if abs(a) <= 40:
        return "anterior"
    if a < -25 and abs(a) < 155:
        return "crossover"
    if abs(a) >= 155:
        return "posterior"
    if a >= 110:
        return "posterolateral"
    return "transverse" if turn > TURN_FOR_TRANSVERSE else "lateral"


def _local(v: Vec2, forward: Vec2) -> Vec2:
    """(forward, right) components of a horizontal (x, z) vector, for a facing `forward`.

    Right-handed with Y up: a person facing +x has their right toward +z."""
    fx, fz = forward
    return (v[0] * fx + v[1] * fz, -v[0] * fz + v[1] * fx)


def analyse_rep(frames: list[LungeFrame], number: int, fps: float) -> Rep | None:
    def depth(f: LungeFrame) -> float:
        return max((v for v in f.knee_flexion.values() if v is not None), default=0.0)

    depths = [depth(f) for f in frames]
    b = max(range(len(frames)), key=depths.__getitem__)
    if depths[b] < MIN_DEPTH:
        return None
    start, bottom, end = frames[0], frames[b], frames[-1]
    knees = {s: v for s, v in bottom.knee_flexion.items() if v is not None}
    working = max(knees, key=knees.__getitem__)

    def moved(side: str) -> float:
        a, c = start.ankle_image[side], bottom.ankle_image[side]
        return math.hypot(c[0] - a[0], c[1] - a[1]) / max(start.scale_px, 1.0)

    stepping = max(("left", "right"), key=moved)
    planted = "right" if stepping == "left" else "left"
    if moved(planted) > PLANTED_MOVE:
        return None  # both feet moved (a jump, a jumping jack): not a lunge
    if depths[b] - depths[0] < MIN_BEND:
        return None
    if (bottom.hips_y - start.hips_y) / max(start.scale_px, 1.0) < MIN_DROP:
        return None  # the hips did not sink: a walking or turning step

    def rel(f: LungeFrame) -> Vec2:
        s, p = f.ankle_world[stepping], f.ankle_world[planted]
        return (s[0] - p[0], s[1] - p[1])

    r0, r1 = rel(start), rel(bottom)
    if math.hypot(r1[0] - r0[0], r1[1] - r0[1]) < MIN_STEP_M:
        return None  # a squat or a dip in place, not a lunge
    if (end.frame - start.frame) / fps < MIN_REP_SECONDS:
        return None
    fwd, right = _local((r1[0] - r0[0], r1[1] - r0[1]), start.forward)
    own = 1.0 if stepping == "right" else -1.0
    step_angle = math.degrees(math.atan2(right * own, fwd))
    # Turn toward the stepping side: of the pelvis, or of the stepping foot, whichever is more.
    pelvis_turn = _wrap(_angle(bottom.forward) - _angle(start.forward))
    foot_turn = _wrap(_angle(bottom.foot[stepping]) - _angle(start.forward))
    # A positive angle in (x, z) turns from forward toward the right (z).
    turn = max(pelvis_turn * own, foot_turn * own)
    direction = classify(step_angle, turn)

    leans = [f.trunk_flexion for f in frames if f.trunk_flexion is not None]
    drop = drop_side = None
    if start.pelvic_obliquity is not None:
        obl = [
            f.pelvic_obliquity - start.pelvic_obliquity
            for f in frames
            if f.pelvic_obliquity is not None
        ]
        if obl:
            worst = max(obl, key=abs)
            drop, drop_side = abs(worst), ("right" if worst > 0 else "left")
    near = [i for i, d in enumerate(depths) if d >= depths[b] - HOLD_WITHIN]
    hold_start, hold_end = near[0], near[-1]
    return Rep(
        number=number,
        start_frame=start.frame,
        bottom_frame=bottom.frame,
        end_frame=end.frame,
        stepping_side=stepping,
        working_side=working,
        direction=direction,
        step_angle=step_angle,
        turn=turn,
        depth_knee=knees[working],
        depth_hip=bottom.hip_flexion.get(working),
        fppa=bottom.fppa.get(working),
        trunk_lean=max(leans) if leans else None,
        pelvic_drop=drop,
        pelvic_drop_side=drop_side,
        down_s=(frames[hold_start].frame - start.frame) / fps,
        hold_s=(frames[hold_end].frame - frames[hold_start].frame) / fps,
        up_s=(end.frame - frames[hold_end].frame) / fps,
    )


@dataclass
class RepCounter:
    """Feed frames in order; completed reps collect in ``reps``."""

    fps: float
    reps: list[Rep] = field(default_factory=list)
    discarded: int = 0  # movements that looked like a rep but never came back up in time
    _cur: list[LungeFrame] = field(default_factory=list)
    # The standing frames before a rep (at most a second): the straightest becomes its start.
    _standing: deque[tuple[float, LungeFrame]] = field(default_factory=deque)
    _deep: bool = False

    def push(self, f: LungeFrame) -> None:
        d = max((v for v in f.knee_flexion.values() if v is not None), default=None)
        if d is None:
            return
        if not self._cur:
            if d < STAND:
                self._standing.append((d, f))
                while self._standing and f.frame - self._standing[0][1].frame > self.fps:
                    self._standing.popleft()
                return
            start = f
            if self._standing:  # the latest of the straightest frames: where the descent began
                low = min(d for d, _ in self._standing)
                start = [x for d, x in self._standing if d <= low + 2.0][-1]
            self._cur = [x for _, x in self._standing if x.frame >= start.frame] + [f]
            self._standing.clear()
            self._deep = d >= MIN_DEPTH
            return
        self._cur.append(f)
        self._deep = self._deep or d >= MIN_DEPTH
        if d < STAND:
            if self._deep:
                rep = analyse_rep(self._cur, len(self.reps) + 1, self.fps)
                if rep is not None:
                    self.reps.append(rep)
            self._cur, self._deep = [], False
            self._standing.append((d, f))
        elif (f.frame - self._cur[0].frame) / self.fps > MAX_REP_SECONDS:
            self.discarded += 1
            self._cur, self._deep = [], False

    def summary(self) -> dict[str, object]:
        """The set: direction (the most common), reps per stepping side, and the averages."""
        reps = self.reps
        if not reps:
            return {"reps": 0}
        directions = Counter(r.direction for r in reps)

        def avg(values: list[float | None]) -> float | None:
            vals = [v for v in values if v is not None]
            return round(mean(vals), 1) if vals else None

        def worst(values: list[float | None]) -> float | None:
            vals = [v for v in values if v is not None]
            return round(max(vals), 1) if vals else None

        return {
            "direction": directions.most_common(1)[0][0],
            "directions": dict(directions),
            "reps": len(reps),
            "reps_per_side": dict(Counter(r.stepping_side for r in reps)),
            "depth_knee_mean": avg([r.depth_knee for r in reps]),
            "depth_hip_mean": avg([r.depth_hip for r in reps]),
            "fppa_mean": avg([r.fppa for r in reps]),
            "fppa_max": worst([r.fppa for r in reps]),
            "trunk_lean_max": worst([r.trunk_lean for r in reps]),
            "pelvic_drop_max": worst([r.pelvic_drop for r in reps]),
            "tempo_mean_s": {
                "down": avg([r.down_s for r in reps]),
                "hold": avg([r.hold_s for r in reps]),
                "up": avg([r.up_s for r in reps]),
            },
        }
