"""Forms that keep what you typed (issue 14 §5): one pattern for every HTML form.

A handler that refuses a submission builds `refusal(exc, form)` (outside the failed
transaction, so nothing is half-written) and renders its page with it: the page comes back (4xx)
with the values as typed, the sentence beside the field it is about (or above the form when it
is about no one field) and the logged-in navigation. Without JS that is the whole page; with
JS the form carries `hx-post` + `hx-select` (the `keep_form` macro in `_forms.html`) and
static/forms.js swaps just the form in. `form_done` ends a good submission: a 303, or for HTMX
an `HX-Redirect` so the browser goes to the next page as a whole.

Messages are for the person at the form: `user_sentence` takes out terminal commands and
option names that the use cases write for the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from triplane.usecases.service import Invalid, TriplaneError

_SEE_COMMAND = re.compile(r"\s*\((?:see|run|try|use)\b[^)]*`[^`]*`[^)]*\)")
_CLAUSE_COMMAND = re.compile(r"[;,]?\s*[^;,.]*`[^`]*`[^;.]*")
_OPTION = re.compile(r"(?<![\w-])--([a-z][a-z-]*)")
NEVER_SHOWN = ("form-error", "")  # keys that are not fields of a form


def user_sentence(exc: BaseException | str) -> str:
    """The error as a person reads it: the field by its form label, no `triplane ...`
    commands, no --option names."""
    from triplane.web.errors import page_sentence

    text = page_sentence(exc) if isinstance(exc, TriplaneError) else str(exc)
    text = _SEE_COMMAND.sub("", text)
    text = _CLAUSE_COMMAND.sub("", text)
    text = _OPTION.sub(lambda m: m.group(1).replace("-", " "), text)
    return re.sub(r"\s{2,}", " ", text).strip(" ;,") or "this was not accepted; check the form"


def invalid(message: str, field_name: str) -> Invalid:
    """An Invalid about one field of the form (the use cases' errors name theirs)."""
    return Invalid(message, field_name)


@dataclass
class FormState:
    """What was sent, and what was wrong with it."""

    values: Mapping[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None  # about the form as a whole
    form_id: str | None = None  # which form on the page the state belongs to

    def value(self, name: str, default: Any = "") -> Any:
        """The typed value, else the saved one."""
        v = self.values.get(name)
        return default if v is None else v

    def values_of(self, name: str, default: Iterable[Any] = ()) -> list[str]:
        """A checkbox group: what was ticked, else the saved ones."""
        getlist = getattr(self.values, "getlist", None)
        if getlist is not None and (name in self.values or f"{name}_sent" in self.values):
            return [str(v) for v in getlist(name)]
        return [str(v) for v in default]

    def checked(self, name: str, default: bool) -> bool:
        """A checkbox: as sent (absent = unticked) once the form came back, else as saved."""
        if self.sent:
            return self.values.get(name) not in (None, "", "0")
        return default

    def of(self, form_id: str) -> FormState:
        """The state for one of several forms on a page (the others show what is saved)."""
        return self if self.form_id in (None, form_id) else EMPTY

    @property
    def sent(self) -> bool:
        return bool(self.values)


EMPTY = FormState()


def field_of(
    exc: BaseException, fields: Iterable[str], words: Mapping[str, str] | None = None
) -> str | None:
    """The form field an error is about: the error's own `field` when it names one of the
    form's fields, else the field whose name (in words, or one of `words` -> field) the
    sentence mentions first."""
    named = getattr(exc, "field", None)
    names = [f for f in fields if f not in NEVER_SHOWN]
    if named in names:
        return str(named)
    if isinstance(named, str):  # a use-case field name the form spells differently
        for f in names:
            if f.startswith(named) or named.startswith(f):
                return f
    text = str(exc).lower()
    found = [(text.find(f.replace("_", " ")), f) for f in names]
    found += [(text.find(w), f) for w, f in (words or {}).items() if f in names]
    hits = sorted((i, f) for i, f in found if i >= 0)
    return hits[0][1] if hits else None


def form_state(
    form: FormData | Mapping[str, Any],
    exc: BaseException,
    fields: Iterable[str] | None = None,
    form_id: str | None = None,
    words: Mapping[str, str] | None = None,
) -> FormState:
    keys = list(fields) if fields is not None else list(form.keys())
    where = field_of(exc, keys, words)
    sentence = user_sentence(exc)
    if where is None:
        return FormState(form, {}, sentence, form_id)
    return FormState(form, {where: sentence}, None, form_id)


def refusal(
    exc: TriplaneError,
    form: FormData | Mapping[str, Any],
    fields: Iterable[str] | None = None,
    form_id: str | None = None,
    words: Mapping[str, str] | None = None,
) -> FormState:
    """The state a refused form comes back with; who-are-you errors go on to their handler
    (log in again, not allowed) because no form fixes them."""
    from triplane.web.errors import http_status

    if http_status(exc) in (401, 403):
        raise exc
    return form_state(form, exc, fields, form_id, words)


def whole_page(request: Request, response: Response) -> Response:
    """A good submission answered with a page rather than a redirect: HTMX shows all of its
    main part, not just the form."""
    if request.headers.get("hx-request"):
        response.headers.update(
            {"HX-Retarget": "#main", "HX-Reselect": "#main", "HX-Reswap": "outerHTML"}
        )
    return response


def form_done(request: Request, url: str) -> Response:
    """After a good submission: to the next page (HTMX: as a whole page, not into the form)."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, 303)
