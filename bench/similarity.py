"""Similarity between submissions: does it catch planted copies without flagging independent work, and how fast.

    python bench/similarity.py [--sizes 100 300 1000] [--write]

1. Accuracy, per homework. Independent solutions: each homework's reference and the differently written correct
   alternative its tests prove (tests/homeworks/test_hwN.py), cell by cell, plus the four solutions of the
   similarity tests' small assignment (tests/similarity/classroom.py). An independent pair is two synthetic
   students who chose a different implementation for *every* task, the second one also restyled (renamed,
   reformatted, commented, ...) so that style alone cannot make it look copied. Planted pairs: a student and a
   copy of their work renamed, reordered, reformatted, commented, with prints, with dead code, everything at
   once, and half-copies (the copied tasks make up about half of the code; the other half is the copier's own
   implementation), plain and disguised. The threshold is the lowest at which at most 1 % of independent pairs
   are flagged; recall is the share of planted pairs flagged there.
2. Time: a scratch course with N submissions of hw5 (its release, its notebook), each solution cell filled with
   randomly generated functions (code nobody else wrote: reusing the few real solutions would make every pair
   a copy), 1 % of them planted copies; ``compare_assignment`` and the files, end to end from the notebooks.
3. copydetect 0.5 (if installed) on the same pairs of part 1, and on the 300 submissions of part 2.

--write replaces the "Similarity" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "homeworks"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402
from results import write_section  # noqa: E402

from grader.authoring import build_submission, grade_id, is_solution_cell  # noqa: E402
from grader.course import open_course  # noqa: E402
from grader.demo import plant  # noqa: E402
from grader.similarity.extract import Cell, Source, solution_cells, template_lines  # noqa: E402
from grader.similarity.normalize import Document, api_names, normalize  # noqa: E402
from grader.similarity.run import Params, compare_assignment, compare_documents, write_results  # noqa: E402

TITLE = "## Similarity between submissions (bench/similarity.py)"
HOMEWORKS = [f"hw{i}" for i in range(1, 9)]
# hw2, hw6, hw7 keep their alternative solution in separate constants
ALT_NAMES = {
    "hw2": {"activations": "ALT_ACTIVATIONS", "losses": "ALT_LOSSES", "mlp": "ALT_MLP",
            "optimizers": "ALT_OPTIMIZERS", "training": "ALT_TRAINING"},
    "hw6": {"conv_output_size": "ALT_CONV", "small_cnn": "ALT_CNN", "random_shift": "ALT_SHIFT",
            "param_groups": "ALT_GROUPS", "train_classifier": "ALT_TRAIN", "freeze_backbone": "ALT_FREEZE",
            "replace_head": "ALT_HEAD", "make_transfer_model": "ALT_TRANSFER"},
    "hw7": {"encoders": "ALT_ENCODERS", "info_nce": "ALT_INFO_NCE", "clip_model": "ALT_CLIP_MODEL",
            "train_clip": "ALT_TRAIN_CLIP", "zero_shot": "ALT_ZERO_SHOT", "fusion": "ALT_FUSION",
            "matching": "ALT_MATCHING"},
}
STYLES = ["identical", "rename", "reorder", "reformat", "comment", "prints", "dead_code", "all"]
PLANTED = [*STYLES, "half", "half+all"]


@dataclass(frozen=True)
class Homework:
    """Per solution cell, the independent implementations (2 for a homework, 4 for the small assignment)."""

    name: str
    impls: dict[str, list[str]]
    release: dict[str, str]   # cell -> the release's template code
    api: frozenset[str]
    base: Document            # the release, subtracted from every document


def _alternative(hw: str) -> dict[str, str]:
    module = importlib.import_module(f"test_{hw}")
    if hasattr(module, "ALTERNATIVE"):
        return dict(module.ALTERNATIVE)
    return {cell: getattr(module, const).lstrip("\n") for cell, const in ALT_NAMES[hw].items()}


def _homework(name: str, impls: dict[str, list[str]], release: dict[str, str], api: frozenset[str]) -> Homework:
    base = normalize(Source("release", "release", tuple(Cell(c, code, frozenset()) for c, code in release.items()),
                            frozenset()), api)
    return Homework(name, impls, release, api, base)


def load_homework(hw: str) -> Homework:
    source = nbformat.read(REPO / "source" / hw / f"{hw}.ipynb", as_version=4)
    release = nbformat.read(REPO / "release" / hw / f"{hw}.ipynb", as_version=4)
    ref = {c.name: c.code for c in solution_cells(build_submission(source, release), release)}
    alt = {c.name: c.code for c in solution_cells(build_submission(source, release, _alternative(hw)), release)}
    templates = {grade_id(c): c.source for c in release.cells if is_solution_cell(c) and c.cell_type == "code"}
    impls = {cell: [ref[cell], alt[cell]] for cell in ref if cell in alt and alt[cell] != ref[cell]}
    api = api_names(Source("reference", "reference", tuple(solution_cells(source, release, reference=True)),
                           frozenset()))
    return _homework(hw, impls, {c: templates.get(c, "") for c in impls}, api)


def load_classroom() -> Homework:
    from similarity.classroom import INDEPENDENT, REFERENCE, STUB, TEMPLATE, indent, method_body

    def code(cid: str, body: str) -> str:
        head, pad = TEMPLATE[cid]
        return head + indent(method_body(body) if cid == "vocab" and body != STUB else body, pad)

    impls = {cid: [code(cid, s[cid]) for s in (REFERENCE, *INDEPENDENT)] for cid in TEMPLATE}
    return _homework("tasks3", impls, {cid: code(cid, STUB) for cid in TEMPLATE},
                     frozenset({"column_stats", "moving_average", "Vocabulary"}))


def document(hw: Homework, name: str, codes: dict[str, str]) -> Document:
    cells = tuple(Cell(c, code, template_lines(code, hw.release[c])) for c, code in codes.items())
    return normalize(Source(name, "student", cells, frozenset()), hw.api)


def restyle(hw: Homework, codes: dict[str, str], style: str, seed: int) -> dict[str, str]:
    return {c: plant.apply(style, code, hw.api, seed) for c, code in codes.items()}


def pair_score(hw: Homework, a: Document, b: Document, params: Params) -> float:
    ranked, _ = compare_documents([a, b], params, hw.base)
    return ranked[0].similarity if ranked and ranked[0].shared >= params.min_shared else 0.0


@dataclass
class Pairs:
    independent: list[tuple[str, float]]
    planted: list[tuple[str, float]]
    texts: list[tuple[str, str, str, bool]]  # (homework, code a, code b, planted) for copydetect


def build_pairs(hw: Homework, params: Params, rng: random.Random, independent: int, victims: int) -> Pairs:
    cells = list(hw.impls)
    width = len(next(iter(hw.impls.values())))
    out = Pairs([], [], [])

    def text(codes: dict[str, str]) -> str:
        return "\n\n".join(codes[c] for c in cells)

    for n in range(independent):
        first = {c: rng.randrange(width) for c in cells}
        second = {c: rng.choice([i for i in range(width) if i != first[c]]) for c in cells}
        a = {c: hw.impls[c][first[c]] for c in cells}
        b = restyle(hw, {c: hw.impls[c][second[c]] for c in cells}, rng.choice(STYLES), n)
        out.independent.append((hw.name, pair_score(hw, document(hw, "a", a), document(hw, "b", b), params)))
        out.texts.append((hw.name, text(a), text(b), False))
    sizes = {c: len(hw.impls[c][0]) for c in cells}
    for n in range(victims):
        choice = {c: rng.randrange(width) for c in cells}
        victim = {c: hw.impls[c][choice[c]] for c in cells}
        for kind in PLANTED:
            if kind.startswith("half"):
                order = rng.sample(cells, len(cells))
                copied: list[str] = []
                while sum(sizes[c] for c in copied) < sum(sizes.values()) / 2:
                    copied.append(order[len(copied)])
                copy = {c: victim[c] if c in copied else hw.impls[c][(choice[c] + 1) % width] for c in cells}
                if kind == "half+all":
                    copy = restyle(hw, copy, "all", n)
            else:
                copy = restyle(hw, victim, kind, n)
            score = pair_score(hw, document(hw, "victim", victim), document(hw, "copy", copy), params)
            out.planted.append((f"{hw.name}:{kind}", score))
            out.texts.append((hw.name, text(victim), text(copy), True))
    return out


def threshold_at(independent: list[float], share: float = 0.01) -> float:
    """The lowest threshold (to 0.01) at which at most ``share`` of the independent pairs reach it."""
    allowed = int(share * len(independent))
    ranked = sorted(independent, reverse=True)
    return round(ranked[allowed] + 0.005, 2) if allowed < len(ranked) else 0.0


# --- time ------------------------------------------------------------------------------------------------------

VARIABLES = ["x", "y", "z", "h", "w", "out", "acc", "total", "item", "batch", "loss", "grad", "scale", "mask",
             "state", "step", "idx", "rows", "cols", "value", "buf", "pred", "target", "logits"]
CALLS = ["torch.exp", "torch.sum", "torch.cat", "F.relu", "F.softmax", "torch.zeros", "np.mean", "len", "abs",
         "max", "min", "torch.randn", "F.pad", "torch.stack", "torch.where", "math.sqrt"]
METHODS = ["sum", "mean", "view", "reshape", "transpose", "clamp", "append", "to", "float", "unsqueeze", "exp"]
OPS = ["+", "-", "*", "/", "//", "**", "@", "%"]


def random_expression(rng: random.Random, names: list[str], depth: int = 0) -> str:
    """A random expression over ``names`` (for the time corpus: code nobody else wrote)."""
    roll = rng.random()
    if depth > 2 or roll < 0.3:
        return rng.choice(names) if rng.random() < 0.7 else str(rng.randrange(100))
    if roll < 0.55:
        return (f"{random_expression(rng, names, depth + 1)} {rng.choice(OPS)} "
                f"{random_expression(rng, names, depth + 1)}")
    if roll < 0.8:
        args = ", ".join(random_expression(rng, names, depth + 1) for _ in range(rng.randrange(1, 3)))
        return f"{rng.choice(CALLS)}({args})"
    return f"{rng.choice(names)}.{rng.choice(METHODS)}({random_expression(rng, names, depth + 1)})"


def random_block(rng: random.Random, names: list[str], depth: int, count: int) -> list[str]:
    pad = "    " * depth
    lines: list[str] = []
    for _ in range(count):
        roll = rng.random()
        target = rng.choice(VARIABLES)
        if roll < 0.15 and depth < 3:
            lines.append(f"{pad}for {target} in range({random_expression(rng, names)}):")
            lines += random_block(rng, [*names, target], depth + 1, rng.randrange(1, 4))
        elif roll < 0.25 and depth < 3:
            lines.append(f"{pad}if {random_expression(rng, names)} > {random_expression(rng, names)}:")
            lines += random_block(rng, names, depth + 1, rng.randrange(1, 3))
        elif roll < 0.35:
            lines.append(f"{pad}{rng.choice(names)}.{rng.choice(METHODS)}({random_expression(rng, names)})")
        else:
            lines.append(f"{pad}{target} {rng.choice(['=', '+=', '-=', '*='])} {random_expression(rng, names)}")
            names = [*names, target] if target not in names else names
    return lines


def random_cell(rng: random.Random, prefix: str, size: int) -> tuple[str, list[str]]:
    """A cell of ``size`` random functions (about the size of a homework cell), and their names."""
    names, lines = [], []
    for n in range(size):
        name = f"{prefix}_{n}"
        params = rng.sample(VARIABLES, rng.randrange(1, 4))
        lines += [f"def {name}({', '.join(params)}):", *random_block(rng, params, 1, rng.randrange(5, 11)),
                  f"    return {rng.choice(params)}", ""]
        names.append(name)
    return "\n".join(lines), names


def scratch_course(root: Path, hw: str, size: int, rng: random.Random) -> int:
    """``size`` submissions of ``hw`` in a scratch copy of the course; returns how many are planted copies."""
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(REPO / folder / hw, root / folder / hw)
    release = nbformat.read(root / "release" / hw / f"{hw}.ipynb", as_version=4)
    ids = [grade_id(c) for c in release.cells if is_solution_cell(c) and c.cell_type == "code"]
    planted = max(1, size // 100)
    codes: list[tuple[dict[str, str], list[str]]] = []
    for n in range(size):
        if n >= size - planted:
            victim, names = codes[rng.randrange(len(codes))]
            cells = {c: plant.apply("all", code, seed=n) for c, code in victim.items()}
        else:
            made = {c: random_cell(rng, f"{c}_{n}", rng.randrange(1, 3)) for c in ids}
            cells, names = {c: code for c, (code, _) in made.items()}, [x for _, ns in made.values() for x in ns]
        codes.append((cells, names))
        notebook = nbformat.from_dict(release)
        for cell in notebook.cells:
            if grade_id(cell) in cells:
                cell.source = cells[grade_id(cell)]
        notebook.cells.append(nbformat.v4.new_code_cell("\n".join(f"{x}" for x in names)))  # what tests call
        target = root / "submitted" / f"s{n:04d}" / hw
        target.mkdir(parents=True)
        nbformat.write(notebook, target / f"{hw}.ipynb")
    return planted


def time_class(hw: str, size: int, threshold: float) -> tuple[float, int, int, int]:
    """Seconds for ``grader similarity`` on ``size`` submissions; flagged pairs; planted copies, found."""
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as tmp:
        planted = scratch_course(Path(tmp), hw, size, random.Random(size))
        course = open_course(Path(tmp))
        from grader.similarity.config import load_similarity_config

        config = load_similarity_config(course.config)
        config.threshold = threshold
        started = time.perf_counter()
        outcome = compare_assignment(course, hw, config)
        write_results(course, outcome)
        seconds = time.perf_counter() - started
        late = {f"s{n:04d}" for n in range(size - planted, size)}
        found = {m.score.a for m in outcome.matches} | {m.score.b for m in outcome.matches}
        return seconds, len(outcome.matches), planted, len(late & found)


# --- copydetect --------------------------------------------------------------------------------------------------

def copydetect_scores(texts: list[tuple[str, str, str, bool]]) -> tuple[list[float], list[float]] | None:
    try:
        from copydetect import CodeFingerprint, compare_files
    except ImportError:
        return None
    independent, planted = [], []
    for _, a, b, is_planted in texts:
        fa = CodeFingerprint("a.py", 25, 6, fp=io.StringIO(a), language="python")
        fb = CodeFingerprint("b.py", 25, 6, fp=io.StringIO(b), language="python")
        _, (sim_a, sim_b), _ = compare_files(fa, fb)
        (planted if is_planted else independent).append(max(sim_a, sim_b))
    return independent, planted


def copydetect_time(size: int) -> float | None:
    try:
        from copydetect import CopyDetector
    except ImportError:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-copydetect-") as tmp:
        rng = random.Random(size)
        folder = Path(tmp) / "code"
        folder.mkdir()
        for n in range(size):
            code = "\n\n".join(random_cell(rng, f"c{c}_{n}", rng.randrange(1, 3))[0] for c in range(8))
            (folder / f"s{n:04d}.py").write_text(code)
        started = time.perf_counter()
        detector = CopyDetector(test_dirs=[str(folder)], extensions=["py"], display_t=0.5, silent=True,
                                out_file=str(Path(tmp) / "report.html"), autoopen=False)
        detector.run()
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[100, 300, 1000])
    parser.add_argument("--independent", type=int, default=120, help="independent pairs per homework")
    parser.add_argument("--victims", type=int, default=6, help="students copied per homework (x10 kinds)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    params = Params()
    rng = random.Random(17)
    homeworks = [load_homework(hw) for hw in HOMEWORKS] + [load_classroom()]
    started = time.perf_counter()
    pairs = [build_pairs(hw, params, rng, args.independent, args.victims) for hw in homeworks]
    accuracy_seconds = time.perf_counter() - started
    independent = [s for p in pairs for _, s in p.independent]
    planted = [(k, s) for p in pairs for k, s in p.planted]
    threshold = threshold_at(independent)
    recall = sum(s >= threshold for _, s in planted) / len(planted)
    configured = Params().threshold
    lines = [TITLE, "", f"`python bench/similarity.py` on {os.cpu_count()} cores; k = {params.kgram} tokens, window "
             f"{params.window}, min_shared {params.min_shared}; {accuracy_seconds:.0f} s for part 1.", "",
             "**Accuracy.** Independent pairs: two students with a different implementation of every task (the "
             "reference and the alternative of tests/homeworks/, the four solutions of tests/similarity/), the "
             "second restyled at random. Planted: a student and a transformed copy.", "",
             f"- threshold where ≤ 1 % of {len(independent)} independent pairs are flagged: **{threshold:.2f}**; "
             f"recall of {len(planted)} planted pairs there: **{recall:.3f}**",
             f"- at the configured `Similarity.threshold` = {configured:.2f}: recall "
             f"{sum(s >= configured for _, s in planted) / len(planted):.3f}, independent pairs flagged "
             f"{sum(s >= configured for s in independent) / len(independent):.2%}", "",
             "| homework | tasks | independent pairs | max independent | " + " | ".join(PLANTED) + " |",
             "|---|---|---|---|" + "---|" * len(PLANTED)]
    for hw, p in zip(homeworks, pairs, strict=True):
        scores = [s for _, s in p.independent]
        by_kind = {k: min(s for key, s in p.planted if key == f"{hw.name}:{k}") for k in PLANTED}
        lines.append(f"| {hw.name} | {len(hw.impls)} | {len(scores)} | {max(scores):.2f} | "
                     + " | ".join(f"{by_kind[k]:.2f}" for k in PLANTED) + " |")
    lines += ["", "Planted columns: the lowest similarity over the copied students of that homework. Caveat: the "
              "independent material is two implementations per task (four for tasks3); the independent pairs "
              "recombine them task by task, so they are not as many independent samples as they are pairs, and "
              "the 1 % cut is a coarse estimate. Real classes will have pairs closer than these (a short task has "
              "few ways to write it), which is why nothing is penalised automatically.", ""]
    lines += ["**Time** (hw5's release, N submissions, each of its 8 solution cells holding 1-2 randomly generated "
              "functions, nobody else's code, a submission about as long as hw5's reference, the longest homework; "
              "1 % planted copies of another student disguised by every transformation; from the notebooks on "
              "disk: extraction, normalisation, fingerprints, index, pairs, the JSON and the page):", "",
              "| submissions | seconds | flagged pairs | planted copies found |", "|---|---|---|---|"]
    for size in args.sizes:
        seconds, flagged, planted_n, found = time_class("hw5", size, configured)
        lines.append(f"| {size} | {seconds:.1f} | {flagged} | {found} / {planted_n} |")
        print(lines[-1], flush=True)
    lines += ["", f"Load average when the timing ended: {os.getloadavg()[0]:.1f} (the 2 cores are shared with other "
              "work, so these are upper bounds). Normalisation (Python's tokenize and ast, per submission, on a "
              "process pool) is most of the time and grows linearly; the pairs come from the sparse index."]
    compared = copydetect_scores([t for p in pairs for t in p.texts])
    if compared is not None:
        cd_independent, cd_planted = compared
        cd_threshold = threshold_at(cd_independent)
        cd_recall = sum(s >= cd_threshold for s in cd_planted) / len(cd_planted)
        cd_seconds = copydetect_time(300)
        lines += ["", f"**copydetect 0.5** (k = 25 characters, window 6, its defaults) on the same pairs, as plain "
                  f"code (it reads files, not notebooks: no solution cells, no template): threshold at ≤ 1 % "
                  f"independent {cd_threshold:.2f}, recall {cd_recall:.3f}; 300 files of the time corpus: "
                  f"{cd_seconds:.1f} s."]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(TITLE, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

