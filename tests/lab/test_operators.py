"""Mutation operators: each changes exactly one site into the expected code; sites stay inside the solution region;
a seeded sample is reproducible and spread over the operators."""

from __future__ import annotations

import pytest

from grader.lab.mutate import Mutant, find_mutants, sample_mutants, solution_lines
from grader.lab.operators import compiles, sites


def mutants_of(code: str, operator: str) -> list[str]:
    return [site.apply(code) for site in sites(code, operators=(operator,))]


@pytest.mark.parametrize(("operator", "code", "expected"), [
    ("cmp", "ok = a < b\n", ["ok = a <= b\n"]),
    ("cmp", "if x is not None:\n    pass\n", ["if x is None:\n    pass\n"]),
    ("cmp", "ok = 0 <= i < n\n", ["ok = 0 < i < n\n", "ok = 0 <= i <= n\n"]),
    ("arith", "y = a + b * c\n", ["y = a - b * c\n", "y = a + b / c\n"]),
    ("arith", "y = -x ** 2\n", ["y = -(x * 2)\n"]),
    ("arith", "total += x\n", ["total -= x\n"]),
    ("arith", 'name = "a" + s\n', []),
    ("index", "y = x[:, -1]\n", ["y = x[:, 0]\n", "y = x[:, -2]\n"]),
    ("index", "y = x[1:]\n", ["y = x[2:]\n", "y = x[0:]\n"]),
    ("dim", "s = x.sum(dim=1, keepdim=True)\n",
     ["s = x.sum(dim=0, keepdim=True)\n", "s = x.sum(dim=1, keepdim=False)\n"]),
    ("dim", "p = F.softmax(z, -1)\n", ["p = F.softmax(z, -2)\n"]),
    ("dim", "y = torch.cat(xs, 0)\nm = x.mean(0)\n", ["y = torch.cat(xs, 1)\nm = x.mean(0)\n",
                                                     "y = torch.cat(xs, 0)\nm = x.mean(1)\n"]),
    ("drop", "model.eval()\ny = model(x)\n", ["pass\ny = model(x)\n"]),
    ("drop", "z = (a + b).detach()\n", ["z = (a + b)\n"]),
    ("drop", "with torch.no_grad():\n    y = f(x)\n",
     ['with __import__("contextlib").nullcontext():\n    y = f(x)\n']),
    ("scale", "e = F.normalize(v, dim=-1)\n", ["e = v\n"]),
    ("scale", "u = v / v.norm(dim=-1, keepdim=True).clamp_min(1e-8)\n", ["u = v\n"]),
    ("scale", "q = x - x.max(dim=-1, keepdim=True).values\n", ["q = x\n"]),
    ("scale", "w = torch.randn(n, m) * math.sqrt(2.0 / n)\n", ["w = torch.randn(n, m)\n"]),
    ("swap", "y = torch.where(mask, a, b)\n", ["y = torch.where(a, mask, b)\n"]),
    ("swap", "m = max(a, b)\n", []),
    ("transpose", "def f(x):\n    return x @ w\n", ["def f(x):\n    return (x @ w).transpose(-1, -2)\n"]),
    ("transpose", "def f(x):\n    return x.mean()\n", []),
    ("inplace", "h = h + delta\n", ["h += delta\n"]),
    ("inplace", "g = grad.clone()\n", ["g = grad\n"]),
])
def test_operator_changes_one_site_into_the_expected_code(operator: str, code: str, expected: list[str]) -> None:
    found = mutants_of(code, operator)
    assert found == expected
    assert all(compiles(m) for m in found)


def test_columns_are_characters_not_bytes() -> None:
    code = 'def f(x):\n    s = "привет"; return x[0] < 1\n'
    assert mutants_of(code, "cmp") == ['def f(x):\n    s = "привет"; return x[0] <= 1\n']
    assert sites(code, operators=("cmp",))[0].col == code.split("\n")[1].index("x[0]")


def test_magics_and_f_strings_are_left_alone() -> None:
    code = '%matplotlib inline\nlabel = f"{a + b}"\nc = a + b\n'
    assert mutants_of(code, "arith") == ['%matplotlib inline\nlabel = f"{a + b}"\nc = a - b\n']


SOLUTION = ("def f(a, b):\n    c = a + b  # the template\n"
            "    ### BEGIN SOLUTION\n    return c * 2\n    ### END SOLUTION\n")


def test_only_the_solution_region_is_mutated() -> None:
    assert solution_lines(SOLUTION) == {4}
    assert {s.line for s in sites(SOLUTION, solution_lines(SOLUTION))} == {4}
    assert solution_lines("x = 1\n") is None


def _notebook():  # type: ignore[no-untyped-def]
    from nbformat.v4 import new_code_cell, new_notebook

    def meta(gid: str, **flags: object) -> dict[str, object]:
        return {"nbgrader": {"grade_id": gid, "grade": False, "solution": False, "locked": False,
                             "schema_version": 3, **flags}}

    return new_notebook(cells=[
        new_code_cell(SOLUTION, metadata=meta("f", solution=True)),
        new_code_cell("def g(x):\n    ### BEGIN SOLUTION\n    return x - 1\n    ### END SOLUTION\n",
                      metadata=meta("g", solution=True)),
        new_code_cell("assert f(1, 2) == 6\n", metadata=meta("test_f", grade=True, points=1)),
        new_code_cell("assert g(3) == 2\n", metadata={**meta("test_g", grade=True, points=1),
                                                      "tags": ["requires-gpu"]}),
    ])


def test_mutants_have_stable_ids_and_one_line_descriptions() -> None:
    mutants = find_mutants(_notebook(), "requires-gpu")
    assert [m.id for m in mutants] == [m.id for m in find_mutants(_notebook(), "requires-gpu")]
    assert len({m.id for m in mutants}) == len(mutants)
    arith = next(m for m in mutants if m.id == "f:arith:4:11")
    assert arith.code == "def f(a, b):\n    c = a + b  # the template\n    return c / 2\n"
    assert "\n" not in arith.description and "`*` → `/`" in arith.description


def test_nested_sites_that_start_at_one_column_get_distinct_ids() -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    meta = {"nbgrader": {"grade_id": "h", "grade": False, "solution": True, "locked": False, "schema_version": 3}}
    cell = new_code_cell("def h(x, s):\n    ### BEGIN SOLUTION\n    return x - s + 1\n    ### END SOLUTION\n",
                         metadata=meta)
    arith = [m for m in find_mutants(new_notebook(cells=[cell]), "requires-gpu") if m.operator == "arith"]
    assert len(arith) == 2 and arith[0].code != arith[1].code
    assert [m.id for m in arith] == ["h:arith:3:11", "h:arith:3:11#2"]


def test_a_line_only_gpu_tests_reach_is_marked_gpu_only() -> None:
    mutants = find_mutants(_notebook(), "requires-gpu")
    assert {m.cell for m in mutants if m.gpu_only} == {"g"}
    assert not any(m.gpu_only for m in mutants if m.cell == "f")


def _fake(n: int) -> list[Mutant]:
    ops = ("cmp", "arith", "swap", "dim")
    return [Mutant(f"c:{ops[i % 4] if i < 8 else 'arith'}:{i}:0", "c", ops[i % 4] if i < 8 else "arith", i, "", "")
            for i in range(n)]


def test_seeded_sample_is_reproducible_and_spread_over_operators() -> None:
    mutants = _fake(40)
    first = sample_mutants(mutants, 8, seed=3, assignment="hw1")
    assert first == sample_mutants(mutants, 8, seed=3, assignment="hw1")
    assert len(first) == 8 and {m.operator for m in first} == {"cmp", "arith", "swap", "dim"}
    assert [m.line for m in first] == sorted(m.line for m in first)
    others = {tuple(m.id for m in sample_mutants(mutants, 8, seed=s, assignment="hw1")) for s in range(5)}
    assert len(others) > 1
    assert sample_mutants(mutants, 100, seed=0, assignment="hw1") == mutants
