"""The REST API (/api/v1): thin routes over usecases.service and usecases.accounts.

POST bodies use the CLI's option names as fields, plus an optional client_id (idempotency key:
the same client_id posted twice stores one record). Someone else's athlete id answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StringConstraints

from triplane.core.settings import DAILY_MINUTES, FIRST_BIRTH_YEAR, SettingsChange
from triplane.usecases.accounts import User
from triplane.usecases.service import lunge_json, parse_date
from triplane.web import security
from triplane.web.deps import (
    api_user,
    confirm_signup,
    ctx,
    login_with_password,
    signup_user,
    work,
)

router = APIRouter(prefix="/api/v1")

NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


def Text(n: int) -> Any:  # noqa: N802 - reads like a type
    return Annotated[str, StringConstraints(max_length=n, pattern=NO_CONTROL)]


AthleteId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the athlete's id")]
ClientId = Annotated[
    str | None,
    Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="idempotency key: the same client_id twice stores one record",
    ),
]
DateField = Annotated[
    str | None,
    Field(default=None, max_length=10, pattern=NO_CONTROL, description="YYYY-MM-DD (today)"),
]


class Body(BaseModel):
    """Numbers are strict: `true` is not 1 (a pain of `true` is refused, not stored as 1)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class SignupIn(Body):
    email: Text(254)  # type: ignore[valid-type]
    password: Text(200)  # type: ignore[valid-type]
    name: Text(100)  # type: ignore[valid-type]
    role: Literal["athlete", "coach"] = "athlete"
    tz: Text(64) | None = None  # type: ignore[valid-type]


class TokenIn(Body):
    email: Text(254)  # type: ignore[valid-type]
    password: Text(200)  # type: ignore[valid-type]


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    athlete_id: int | None


class MeasurementIn(Body):
    side: Literal["left", "right"]
    motion: Text(32) | None = None  # type: ignore[valid-type]
    test: Text(64) | None = None  # type: ignore[valid-type]
    degrees: StrictFloat | None = None
    cm: StrictFloat | None = None
    score: StrictFloat | None = None
    result: Literal["pass", "fail"] | None = None
    rating: StrictInt | None = None
    date: DateField = None
    painful: bool = False
    device: Text(32) | None = None  # type: ignore[valid-type]
    client_id: ClientId = None


class DrillLogIn(Body):
    drill: Text(64)  # type: ignore[valid-type]
    date: DateField = None
    minutes: StrictFloat | None = None
    discomfort: StrictInt | None = None
    skipped: bool = False
    client_id: ClientId = None


class LungeLogIn(Body):
    direction: Text(32)  # type: ignore[valid-type]
    reps: StrictInt
    discomfort: StrictInt
    balance: Literal["ok", "lost"]
    sharp_pain: bool = False
    load: Text(32) | None = None  # type: ignore[valid-type]
    date: DateField = None
    client_id: ClientId = None


class CheckInIn(Body):
    pain: StrictInt
    flags: list[Text(64)] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    cleared_by_clinician: bool = False
    date: DateField = None
    client_id: ClientId = None


class SettingsIn(Body):
    daily_minutes: StrictInt | None = Field(
        default=None, ge=DAILY_MINUTES.low, le=DAILY_MINUTES.high
    )
    ladder_order: list[Text(32)] | None = Field(default=None, max_length=20)  # type: ignore[valid-type]
    run_days: Text(100) | None = None  # type: ignore[valid-type]
    run_time: Text(5) | None = None  # type: ignore[valid-type]
    gym_days: Text(100) | None = None  # type: ignore[valid-type]
    gym_time: Text(5) | None = None  # type: ignore[valid-type]
    work_hours: Text(11) | None = None  # type: ignore[valid-type]
    kneeling_ok: bool | None = None
    conditions: list[Text(64)] | None = Field(default=None, max_length=20)  # type: ignore[valid-type]
    norm_set: Text(64) | None = None  # type: ignore[valid-type]
    hip_approach: Text(16) | None = None  # type: ignore[valid-type]
    birth_year: StrictInt | None = Field(default=None, ge=FIRST_BIRTH_YEAR, le=9999)
    sex: Text(16) | None = None  # type: ignore[valid-type]
    lunge_cap: Text(80) | None = None  # type: ignore[valid-type]  # a coach's cap; "off" lifts it


class InviteIn(Body):
    code: Text(32)  # type: ignore[valid-type]


def _created(kind: str, rid: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"{kind}{rid}", **extra}


# ---- auth -----------------------------------------------------------------------------------


# First: routes are matched in order, and monitors and load tests call this one most.
@router.get("/ping", tags=["meta"])
def ping(request: Request) -> dict[str, Any]:
    """A constant behind the same authentication (for benchmarks and monitors)."""
    with ctx(request).tx() as acc:
        api_user(request, acc)
    return {"ok": True}


class SignupPendingOut(BaseModel):
    status: Literal["check_email"] = "check_email"
    detail: str


class SignupConfirmIn(Body):
    token: Text(200)  # type: ignore[valid-type]


@router.post(
    "/auth/signup",
    status_code=201,
    response_model=MeOut,
    tags=["auth"],
    responses={
        202: {
            "model": SignupPendingOut,
            "description": "this server sends e-mail: a link is on its way to the address (the "
            "same answer whether or not it has an account); POST its token to "
            "/auth/signup/confirm",
        },
        409: {"description": "local mode (no e-mail on this server): the address is taken"},
    },
)
def signup(body: SignupIn, request: Request) -> Any:
    """Create an account (athletes get their own athlete record). A server that sends e-mail
    (TRIPLANE_SMTP_URL) answers 202 and e-mails a single-use link instead, so the answer never
    tells whether an address has an account; without e-mail (local mode) the account is made
    at once: 201."""
    user, _, sent = signup_user(request, body.email, body.password, body.name, body.role, body.tz)
    if user is None:
        return JSONResponse(SignupPendingOut(detail=str(sent)).model_dump(), 202)
    return user.as_dict()


@router.post(
    "/auth/signup/confirm",
    status_code=201,
    response_model=MeOut,
    tags=["auth"],
    responses={422: {"description": "the link is unknown, used or expired"}},
)
def signup_confirm(body: SignupConfirmIn, request: Request) -> dict[str, Any]:
    """Make the account of an e-mailed sign-up link (its last path segment is the token)."""
    user, _ = confirm_signup(request, body.token, "api")
    return user.as_dict()


@router.post(
    "/auth/token",
    response_model=TokenOut,
    tags=["auth"],
    responses={401: {"description": "wrong e-mail or password"}, 429: {"description": "rate"}},
)
def token(body: TokenIn, request: Request, response: Response) -> dict[str, Any]:
    """A bearer token for the API (30 days). Five failures in 15 minutes from one address
    lock that address out of the account (and five from addresses that never logged in to it
    lock those out): the owner's usual address keeps working, and so does a device that sends
    the `tp_device` cookie a successful login set (it is counted on its own)."""
    _, secret, device = login_with_password(request, body.email, body.password, "api")
    security.set_device_cookie(request, response, device)
    return {"access_token": secret, "token_type": "bearer"}


class ResetIn(BaseModel):
    email: str = Field(max_length=254)


class ResetConfirmIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=1000)


@router.post(
    "/auth/password-reset",
    status_code=202,
    tags=["auth"],
    responses={409: {"description": "this server cannot send e-mail"}},
)
def password_reset(body: ResetIn, request: Request) -> dict[str, Any]:
    """E-mail a single-use reset link to the account holder (the answer is the same whether or
    not the account exists). Without e-mail on the server: 409."""
    from triplane.usecases.mail import send_reset_link

    return {"detail": send_reset_link(ctx(request).engine, body.email)}


@router.post("/auth/password-reset/confirm", tags=["auth"])
def password_reset_confirm(body: ResetConfirmIn, request: Request) -> dict[str, Any]:
    """Set a new password with the link's token; the link is used up, all sessions end."""
    with ctx(request).tx() as acc:
        user = acc.reset_with_link(body.token, body.password)
    return {"detail": f"the password of {user.email} is changed; log in with it"}


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(request: Request) -> None:
    """Revoke the bearer token used for this request."""
    with ctx(request).tx() as acc:
        api_user(request, acc)
        _, _, secret = request.headers.get("authorization", "").partition(" ")
        if secret:
            acc.revoke_token(secret.strip())


@router.get("/me", response_model=MeOut, tags=["account"])
def me(request: Request) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        return api_user(request, acc).as_dict()


@router.get("/me/export", tags=["account"])
def my_export(request: Request) -> dict[str, Any]:
    """All my data: the account and (athletes) the whole training log."""
    with ctx(request).tx() as acc:
        return acc.export(api_user(request, acc))


class DeleteIn(Body):
    password: Text(200)  # type: ignore[valid-type]


@router.post("/me/delete", status_code=204, tags=["account"])
def delete_me(body: DeleteIn, request: Request) -> None:
    """Delete my account and all my data (asks for the password again)."""
    with ctx(request).tx() as acc:
        acc.delete_account(api_user(request, acc), body.password)


@router.post("/invites/accept", tags=["coach links"])
def accept_invite(body: InviteIn, request: Request) -> dict[str, Any]:
    """An athlete accepts a coach's invite code."""
    with ctx(request).tx() as acc:
        coach = acc.accept_invite(api_user(request, acc), body.code)
        return {"coach": {"id": coach.id, "name": coach.name, "email": coach.email}}


@router.post("/coach/invites", status_code=201, tags=["coach links"])
def create_invite(request: Request) -> dict[str, Any]:
    """A coach's new invite code (valid 14 days, used once)."""
    with ctx(request).tx() as acc:
        return {"code": acc.create_invite(api_user(request, acc))}


@router.get("/coach/athletes", tags=["coach links"])
def coach_athletes(request: Request) -> list[dict[str, Any]]:
    """The coach's linked athletes."""
    with ctx(request).tx() as acc:
        user = api_user(request, acc)
        return [{"id": a.id, "name": a.name, "tz": a.tz} for a in acc.linked_athletes(user)]


# ---- an athlete's data ------------------------------------------------------------------------


def _athlete(acc: Any, request: Request, athlete_id: int) -> tuple[User, Any]:
    user = api_user(request, acc)
    return user, acc.athlete_for(user, athlete_id)


@router.get("/athletes/{athlete_id}", tags=["athletes"])
def athlete(athlete_id: AthleteId, request: Request) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return acc.svc.athlete_summary(a)


@router.get(
    "/athletes/{athlete_id}/plan/day",
    tags=["plan"],
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "the plan-day JSON"}},
)
def plan_day(
    athlete_id: AthleteId,
    request: Request,
    date: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (today)")] = None,
) -> Response:
    """The day's movement snacks and lunge-matrix session (the CLI's `plan day --json`)."""
    c = ctx(request)
    with c.tx() as acc:
        a, version = acc.athlete_and_version(api_user(request, acc), athlete_id)
        body = c.plans.plan_day_json(acc, a, parse_date(date), version)
    return Response(body, media_type="application/json")


@router.get("/athletes/{athlete_id}/plan/week", tags=["plan"])
def plan_week(
    athlete_id: AthleteId,
    request: Request,
    start: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return {"days": [p.as_dict() for p in acc.svc.plan_week(a, parse_date(start, "start"))]}


@router.get("/athletes/{athlete_id}/profile", tags=["assessment"])
def profile(
    athlete_id: AthleteId,
    request: Request,
    date: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return acc.svc.profile(a, parse_date(date)).as_dict()


@router.post("/athletes/{athlete_id}/measurements", status_code=201, tags=["assessment"])
def add_measurement(athlete_id: AthleteId, body: MeasurementIn, request: Request) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        fields = body.model_dump(exclude={"date"})
        mid = acc.svc.add_measurement(a, day=parse_date(body.date), **fields)
        return _created("M", mid, profile=acc.svc.profile(a).as_dict())


@router.post("/athletes/{athlete_id}/logs", status_code=201, tags=["log"])
def log_drill(athlete_id: AthleteId, body: DrillLogIn, request: Request) -> dict[str, Any]:
    """A snack done (or skipped), with discomfort 0-10."""
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        rid = acc.svc.log_drill(
            a,
            body.drill,
            parse_date(body.date),
            body.minutes,
            body.discomfort,
            body.skipped,
            client_id=body.client_id,
        )
        return _created("D", rid)


@router.get("/athletes/{athlete_id}/log", tags=["log"])
def log_list(athlete_id: AthleteId, request: Request) -> list[dict[str, Any]]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return acc.svc.log_entries(a)


@router.delete("/athletes/{athlete_id}/log/{entry_id}", tags=["log"])
def log_delete(
    athlete_id: AthleteId,
    entry_id: Annotated[str, Path(max_length=12, pattern=r"^[A-Za-z]\d{1,9}$")],
    request: Request,
) -> dict[str, Any]:
    """Correct a wrong entry by deleting it (ids from the log: M3, D12, L4, C1...)."""
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return acc.svc.delete_entry(a, entry_id)


@router.get("/athletes/{athlete_id}/lunge/next", tags=["lunge matrix"])
def lunge_next(
    athlete_id: AthleteId,
    request: Request,
    date: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        state, plans = acc.svc.lunge_next(a, parse_date(date))
        return lunge_json(state, plans, acc.svc.catalogue)


@router.post("/athletes/{athlete_id}/lunge/logs", status_code=201, tags=["lunge matrix"])
def lunge_log(athlete_id: AthleteId, body: LungeLogIn, request: Request) -> dict[str, Any]:
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        res = acc.svc.log_lunge(
            a,
            body.direction,
            body.reps,
            body.discomfort,
            body.balance,
            body.sharp_pain,
            body.load,
            parse_date(body.date),
            client_id=body.client_id,
        )
        return _created("L", res["id"], prescription=res["prescription"])


@router.post("/athletes/{athlete_id}/check-ins", status_code=201, tags=["safety"])
def check_in(athlete_id: AthleteId, body: CheckInIn, request: Request) -> dict[str, Any]:
    """Pain 0-10 and red flags; pain above 5 or a red flag pauses the programme."""
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        day = parse_date(body.date)
        cid = acc.svc.check_in(
            a, body.pain, body.flags, body.cleared_by_clinician, day, client_id=body.client_id
        )
        safety = acc.svc.plan_day(a, day).safety.as_dict()
        if body.cleared_by_clinician:
            return _created("C", cid, safety=safety, clearance=acc.svc.clearance(a, cid))
        return _created("C", cid, safety=safety)


@router.patch("/athletes/{athlete_id}/settings", tags=["athletes"])
def edit_settings(athlete_id: AthleteId, body: SettingsIn, request: Request) -> dict[str, Any]:
    """Change settings from today on (the athlete, or a linked coach: budget, ladder order...)."""
    with ctx(request).tx() as acc:
        user, a = _athlete(acc, request, athlete_id)
        given = body.model_dump(exclude_none=True)
        fields: dict[str, Any] = {  # checked by SettingsIn; lists become the core's tuples
            k: tuple(v) if isinstance(v, list) else v for k, v in given.items()
        }
        change = SettingsChange(**fields)
        acc.svc.edit_athlete(a, change, author=(user.name, user.role))
        return acc.svc.athlete_summary(a)


# ---- the calendar subscription (issue 5) -------------------------------------------------------


def calendar_urls(request: Request, token: str) -> dict[str, str]:
    """The private subscription URL (https or http as served) and its webcal:// twin."""
    url = f"{str(request.base_url).rstrip('/')}/calendar/{token}.ics"
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@router.get("/athletes/{athlete_id}/calendar-token", tags=["calendar"])
def calendar_token_status(athlete_id: AthleteId, request: Request) -> dict[str, Any]:
    """Whether a calendar subscription URL is active (the URL itself is shown only once)."""

    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return work(acc).running.calendar_token_status(a)


@router.post("/athletes/{athlete_id}/calendar-token", status_code=201, tags=["calendar"])
def calendar_token_create(athlete_id: AthleteId, request: Request) -> dict[str, Any]:
    """A new private calendar URL (no login needed to read it); the previous one stops working.
    Subscribe to it in a calendar app. Only a hash of the token is stored: save the URL."""

    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        token = work(acc).running.create_calendar_token(a)
    return {"token": token, **calendar_urls(request, token)}


@router.delete("/athletes/{athlete_id}/calendar-token", tags=["calendar"])
def calendar_token_revoke(athlete_id: AthleteId, request: Request) -> dict[str, Any]:
    """Revoke the calendar URL: it answers 404 from now on (revoking twice is fine)."""

    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return {"revoked": work(acc).running.revoke_calendar_tokens(a)}


@router.get("/athletes/{athlete_id}/adherence", tags=["coach"])
def adherence(athlete_id: AthleteId, request: Request) -> dict[str, Any]:
    """Adherence (last 7 and 28 days) and flags: the athlete's own, or a linked athlete's."""
    with ctx(request).tx() as acc:
        _, a = _athlete(acc, request, athlete_id)
        return {"adherence": acc.adherence(a), "flags": acc.flags(a)}
