"""Which test cells reach a line: through names, across cells, transitively; GPU-only only when no CPU test can."""

from __future__ import annotations

from grader.lab.reach import Cell, ReachMap

CELLS = [
    Cell("solution", "def helper(x):\n    return x + 1\n\ndef train(n):\n    return helper(n)\n\n"
                     "def fast(x):\n    return x * 2\n"),
    Cell("setup", "%time\nmodel = train(3)\n"),
    Cell("test_cpu", "assert model == 4\n", test="cpu"),
    Cell("test_gpu", "assert fast(2) == 4\nassert model == 4\n", test="gpu"),
]


def test_a_cpu_test_reaches_definitions_through_other_cells() -> None:
    reach = ReachMap(CELLS)
    assert reach.kinds("solution", 2) == {"cpu", "gpu"}  # helper ← train ← model (setup) ← test_cpu
    assert not reach.gpu_only("solution", 5)


def test_a_line_only_a_gpu_test_uses_is_gpu_only() -> None:
    reach = ReachMap(CELLS)
    assert reach.gpu_only("solution", 8)
    assert reach.kinds("solution", 3) == set()  # a blank line belongs to no definition


def test_a_line_no_test_reaches_is_not_gpu_only() -> None:
    reach = ReachMap([Cell("solution", "def unused():\n    return 1\n"), Cell("test", "assert True\n", test="gpu")])
    assert reach.kinds("solution", 2) == set() and not reach.gpu_only("solution", 2)
