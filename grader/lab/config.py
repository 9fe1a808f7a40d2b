"""``MutationCheck``: how ``grader lab mutate`` samples and grades mutants, from the course's
``nbgrader_config.py``::

    c.MutationCheck.sample = 30                                # mutants per homework (--all: every one)
    c.MutationCheck.equivalents = "instructor/mutants.toml"    # next to the homework, never released
"""

from __future__ import annotations

from typing import Any

from traitlets import Float, Int, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.configurable import configured


class MutationCheck(Configurable):
    """The mutation check of an assignment's tests (an authoring tool: nothing in the course changes)."""

    sample = Int(30, help="Mutants graded per assignment by default: a seeded sample, spread over the operators "
                 "(--all grades every mutant, --sample N another number).").tag(config=True)
    seed = Int(0, help="Seed of the sample: the same seed, assignment and reference give the same mutants.").tag(
        config=True)
    workers = Int(2, help="Mutants graded at once (processes of grader autograde's local pool).").tag(config=True)
    equivalents = Unicode("instructor/mutants.toml", help="The file of mutants no test can kill, relative to "
                          "source/<assignment>/: an [equivalent] table of mutant id = one-line reason. Keep it in "
                          "a folder or name that CourseDirectory.ignore lists, so it never reaches release/."
                          ).tag(config=True)
    wall_factor = Float(4.0, help="A mutant's notebook may run this many times the reference's wall time (and at "
                        "least min_wall_seconds) before it counts as killed by a timeout.").tag(config=True)
    min_wall_seconds = Float(120.0, help="The least wall time a mutant's notebook is given, in seconds.").tag(
        config=True)

    @validate("sample", "workers")
    def _check_positive(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError(f"MutationCheck.{proposal['trait'].name}: must be at least 1, got {value}")
        return value

    @validate("wall_factor", "min_wall_seconds")
    def _check_time(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if value <= 0:
            raise TraitError(f"MutationCheck.{proposal['trait'].name}: must be positive, got {value}")
        return value


def load_mutation_config(config: Any) -> MutationCheck:
    return configured(MutationCheck, config)
