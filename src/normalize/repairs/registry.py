"""The registry of text repairs: step name -> pure ``str -> str`` function.

Every repair is registered under its own (verb) name with :func:`step`. A cleaning is a *plan*, an
ordered list of step names; :func:`apply_plan` runs a plan and reports which steps changed the text
and how many changes each made, so that a record can say how its text was repaired and the same repair
can be replayed later on the raw text (``apply_plan(raw, [r.step for r in record.repairs])``).

Counting: a step may report how many individual changes it made by calling :func:`note_changes`
(e.g. with the count from ``re.subn``); a step that changed the text without noting counts as 1.
Outside :func:`apply_plan`, :func:`note_changes` does nothing, so steps stay plain functions.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from normalize.record import Repair

StepFn = Callable[[str], str]


@dataclass(frozen=True)
class Step:
    name: str
    fn: StepFn
    summary: str


STEPS: dict[str, Step] = {}

_counter: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("_counter", default=None)


def step(fn: StepFn) -> StepFn:
    """Register ``fn`` under its own name. The first docstring line is its summary."""
    name = fn.__name__
    if name in STEPS and STEPS[name].fn is not fn:
        raise ValueError(f"two repair steps named {name!r}; step names must be unique")
    summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
    STEPS[name] = Step(name, fn, summary)
    return fn


def note_changes(n: int) -> None:
    """Called by a step to say it made ``n`` changes (no-op outside :func:`apply_plan`)."""
    box = _counter.get()
    if box is not None:
        box[0] += n


def get_step(name: str) -> Step:
    if name not in STEPS:
        from normalize.repairs import load_steps  # the step modules register on first use

        load_steps()
    try:
        return STEPS[name]
    except KeyError:
        known = ", ".join(sorted(STEPS))
        raise KeyError(f"unknown repair step {name!r}; known steps: {known}") from None


def apply_plan(text: str, plan: Iterable[str]) -> tuple[str, list[Repair]]:
    """Run the named steps in order; return the text and the steps that changed it.

    >>> @step
    ... def shout_example(text: str) -> str:
    ...     '''Upper-case ASCII (example step).'''
    ...     return text.upper()
    >>> apply_plan("ab 中", ["shout_example"])
    ('AB 中', [Repair(step='shout_example', count=1)])
    >>> apply_plan("AB", ["shout_example"])
    ('AB', [])
    >>> del STEPS["shout_example"]
    """
    repairs: list[Repair] = []
    for name in plan:
        fn = get_step(name).fn
        box = [0]
        token = _counter.set(box)
        try:
            out = fn(text)
        finally:
            _counter.reset(token)
        if out != text:
            repairs.append(Repair(step=name, count=max(box[0], 1)))
            text = out
    return text, repairs
