"""Settings that cannot fail silently: every ``c.Class.knob`` of ``nbgrader_config.py`` is checked against the
settings that exist (this project's classes and nbgrader's, with what they inherit), before anything is built.

    c.Deadline.deadlines = {...}         → "c.Deadline.deadlines: no such setting; did you mean c.Deadlines.deadlines?"
    c.LatePolicy.penalty_per_da = 0.2    → "c.LatePolicy.penalty_per_da: no such setting; did you mean
                                            c.LatePolicy.penalty_per_day?"

A class nobody knows and that is near no known class (``c.ServerApp.port`` for another Jupyter tool) is left
alone; a known class with a knob it does not have always stops, with the closest knob when there is one.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable

from traitlets.config import Config, Configurable

from grader.errors import ConfigError

# Modules that declare this project's settings classes: importing them registers their Configurable subclasses.
OWN_SETTINGS_MODULES = (
    "grader.settings",
    "grader.bot.config",
    "grader.report.config",
    "grader.project.config",
    "grader.github.settings",
    "grader.report.gradesheet",
    "grader.similarity.config",
    "grader.collect.intake",
    "grader.grade_release",
    "grader.serve.config",
    "grader.lab.config",
)
# Sections read straight from the config (``course.py``) rather than through a Configurable.
PLAIN_SECTIONS: dict[str, frozenset[str]] = {"GraderDatabase": frozenset({"url"})}
# Loaded only when a section is not one of ours: nbgrader's apps import every nbgrader (and nbconvert) class.
NBGRADER_MODULES = ("nbgrader.apps.nbgraderapp",)
CLASS_CUTOFF = 0.8  # how near an unknown class name must be to a known one to count as a typo
KNOB_CUTOFF = 0.6

FIX = "(fix it in nbgrader_config.py)"
# nbgrader settings the grader decides itself: set in nbgrader_config.py they would be ignored, so they stop.
FIXED: dict[tuple[str, str], str] = {
    ("Autograde", "sanitize_preprocessors"): "the autograde stages run in a fixed order around the sandbox and "
    "the guard (grader/autograde/runner.py; README, 'The stage order'); remove this line",
    ("Autograde", "autograde_preprocessors"): "the autograde stages run in a fixed order around the sandbox and "
    "the guard (grader/autograde/runner.py; README, 'The stage order'); remove this line",
    ("LateSubmissionPlugin", "penalty_method"): "lateness is the grader's own c.LatePolicy, measured from the time "
    "a submission was received; nbgrader's late-penalty plugin is not run; set c.LatePolicy instead",
}


def _subclasses() -> Iterable[type[Configurable]]:
    seen: set[type] = set()
    todo: list[type] = [Configurable]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                yield sub


def known_settings(modules: Iterable[str]) -> dict[str, frozenset[str]]:
    """Class name → its configurable knobs (inherited ones included), for every loaded Configurable after
    importing ``modules``. Two classes with one name (nbgrader has a few) share the union of their knobs."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a settings module not (yet) in this checkout declares nothing
            if exc.name != name:
                raise
    known: dict[str, set[str]] = {name: set(knobs) for name, knobs in PLAIN_SECTIONS.items()}
    for cls in _subclasses():
        known.setdefault(cls.__name__, set()).update(cls.class_traits(config=True))
    return {name: frozenset(knobs) for name, knobs in known.items()}


def check_config(config: Config) -> None:
    """Raise ``ConfigError`` for the first setting of ``config`` that does not exist; say the closest one."""
    sections = {name: value for name, value in config.items() if isinstance(value, Config)}
    if not sections:
        return
    known = known_settings(OWN_SETTINGS_MODULES)
    if any(name not in known for name in sections):
        known = known_settings(OWN_SETTINGS_MODULES + NBGRADER_MODULES)
    for (section, knob), why in FIXED.items():
        if knob in sections.get(section, {}):
            raise ConfigError(f"c.{section}.{knob}", f"set by the grader, not by the course: {why}")
    for section, values in sections.items():
        if section not in known:
            near = difflib.get_close_matches(section, known, n=1, cutoff=CLASS_CUTOFF)
            if not near:
                continue  # another tool's class: not ours to judge
            knob = next(iter(values), "…")
            target = knob if knob in known[near[0]] else _closest(knob, known[near[0]]) or knob
            raise ConfigError(f"c.{section}.{knob}", f"no such setting; did you mean c.{near[0]}.{target}? {FIX}")
        for knob in values:
            if knob in known[section] or isinstance(values[knob], Config):
                continue
            near_knob = _closest(knob, known[section])
            if near_knob:
                hint = f"did you mean c.{section}.{near_knob}?"
            else:
                hint = f"{section} has {', '.join(sorted(known[section])) or 'no settings'}"
            raise ConfigError(f"c.{section}.{knob}", f"no such setting; {hint} {FIX}")


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    near = difflib.get_close_matches(name, list(candidates), n=1, cutoff=KNOB_CUTOFF)
    return near[0] if near else None
