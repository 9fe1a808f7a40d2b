"""A small course for the similarity tests: one assignment of three solution cells (source, release), three
independently written correct solutions, and ``submit`` to lay a student's notebook into submitted/."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

# cell id -> (template around the solution region, reference solution)
TEMPLATE = {
    "stats": ("def column_stats(rows):\n    \"\"\"Mean and population std of each column of a list of equal-length "
              "rows.\"\"\"\n", "    "),
    "windows": ("def moving_average(values, width):\n"
                "    \"\"\"Mean of every run of `width` consecutive values.\"\"\"\n",
                "    "),
    "vocab": ("class Vocabulary:\n    \"\"\"Token <-> id; ids by first appearance, 0 is <unk>.\"\"\"\n\n"
              "    def __init__(self):\n        self.ids = {\"<unk>\": 0}\n        self.tokens = [\"<unk>\"]\n\n",
              "    "),
}

REFERENCE = {
    "stats": """n = len(rows)
columns = list(zip(*rows))
means = [sum(col) / n for col in columns]
stds = []
for col, mean in zip(columns, means):
    variance = sum((value - mean) ** 2 for value in col) / n
    stds.append(variance ** 0.5)
return means, stds""",
    "windows": """if width <= 0 or width > len(values):
    raise ValueError("width must be between 1 and len(values)")
out = []
total = sum(values[:width])
out.append(total / width)
for i in range(width, len(values)):
    total += values[i] - values[i - width]
    out.append(total / width)
return out""",
    "vocab": """for text in texts:
    for token in text.lower().split():
        if token not in self.ids:
            self.ids[token] = len(self.tokens)
            self.tokens.append(token)
return self

def encode(self, text):
    return [self.ids.get(token, 0) for token in text.lower().split()]

def decode(self, ids):
    return " ".join(self.tokens[i] if 0 <= i < len(self.tokens) else "<unk>" for i in ids)""",
}

# Three other students, each solving every task their own way.
INDEPENDENT = [
    {
        "stats": """import math
result_mean, result_std = [], []
for j in range(len(rows[0])):
    column = [row[j] for row in rows]
    m = math.fsum(column) / len(column)
    result_mean.append(m)
    result_std.append(math.sqrt(math.fsum((c - m) * (c - m) for c in column) / len(column)))
return result_mean, result_std""",
        "windows": """if not 1 <= width <= len(values):
    raise ValueError(f"bad width {width}")
prefix = [0.0]
for v in values:
    prefix.append(prefix[-1] + v)
return [(prefix[k + width] - prefix[k]) / width for k in range(len(values) - width + 1)]""",
        "vocab": """words = (w for t in texts for w in t.lower().split())
for w in words:
    self.ids.setdefault(w, len(self.ids))
self.tokens = sorted(self.ids, key=self.ids.get)
return self

def encode(self, text):
    ids = []
    for w in text.lower().split():
        ids.append(self.ids[w] if w in self.ids else 0)
    return ids

def decode(self, ids):
    words = []
    for i in ids:
        try:
            words.append(self.tokens[i])
        except IndexError:
            words.append("<unk>")
    return " ".join(words)""",
    },
    {
        "stats": """import numpy as np
a = np.asarray(rows, dtype=float)
return a.mean(axis=0).tolist(), a.std(axis=0).tolist()""",
        "windows": """assert 0 < width <= len(values), "width out of range"
import numpy as np
kernel = np.ones(width) / width
return np.convolve(np.asarray(values, dtype=float), kernel, mode="valid").tolist()""",
        "vocab": """import itertools
for tok in itertools.chain.from_iterable(s.lower().split() for s in texts):
    if tok in self.ids:
        continue
    self.tokens.append(tok)
    self.ids[tok] = len(self.tokens) - 1
return self

def encode(self, text):
    lookup = self.ids
    return list(map(lambda t: lookup.get(t, 0), text.lower().split()))

def decode(self, ids):
    size = len(self.tokens)
    return " ".join([self.tokens[k] if k in range(size) else "<unk>" for k in ids])""",
    },
    {
        "stats": """count = 0
sums = None
squares = None
for row in rows:
    count += 1
    if sums is None:
        sums = [0.0] * len(row)
        squares = [0.0] * len(row)
    for k, x in enumerate(row):
        sums[k] += x
        squares[k] += x * x
mu = [s / count for s in sums]
sigma = [max(q / count - m * m, 0.0) ** 0.5 for q, m in zip(squares, mu)]
return mu, sigma""",
        "windows": """n = len(values)
if width < 1 or width > n:
    raise ValueError("width")
res = []
start = 0
while start + width <= n:
    chunk = values[start:start + width]
    res.append(sum(chunk) / len(chunk))
    start += 1
return res""",
        "vocab": """seen = self.ids
for line in texts:
    pieces = line.lower().split()
    idx = 0
    while idx < len(pieces):
        piece = pieces[idx]
        if piece not in seen:
            seen[piece] = len(seen)
            self.tokens += [piece]
        idx += 1
return self

def encode(self, text):
    out = []
    for piece in text.lower().split():
        out += [self.ids.get(piece, 0)]
    return out

def decode(self, ids):
    pieces = map(lambda k: self.tokens[k] if -1 < k < len(self.tokens) else "<unk>", ids)
    return " ".join(pieces)""",
    },
]

TESTS = ("assert column_stats([[1, 2], [3, 4]])[0] == [2.0, 3.0]\n"
         "assert moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]\n"
         "v = Vocabulary().fit(['a b', 'b c'])\nassert v.decode(v.encode('a c x')) == 'a c <unk>'")


def indent(code: str, pad: str) -> str:
    return "\n".join(pad + line if line.strip() else line for line in code.splitlines())


def _cell(cid: str, source: str, *, solution: bool, grade: bool = False) -> NotebookNode:
    meta = {"nbgrader": {"grade": grade, "grade_id": cid, "locked": not solution, "schema_version": 3,
                         "solution": solution, **({"points": 3} if grade else {})}}
    return nbformat.v4.new_code_cell(source, metadata=meta)


def method_body(code: str) -> str:
    """The vocab answers: fit's body, then the other methods, as the class's methods."""
    fit, _, rest = code.partition("\n\ndef ")
    return "def fit(self, texts):\n" + indent(fit, "    ") + ("\n\ndef " + rest if rest else "")


def notebook(bodies: dict[str, str], *, source: bool = False) -> NotebookNode:
    """The assignment's notebook with each solution cell's body (unindented code)."""
    cells = [nbformat.v4.new_markdown_cell("# hw1\nThree small tasks.")]
    for cid, (head, pad) in TEMPLATE.items():
        body = bodies[cid]
        if cid == "vocab" and body != STUB:
            body = method_body(body)
        if source:
            body = f"### BEGIN SOLUTION\n{body}\n### END SOLUTION"
        cells.append(_cell(cid, head + indent(body, pad), solution=True))
    cells.append(_cell("tests", TESTS, solution=False, grade=True))
    return nbformat.v4.new_notebook(cells=cells)


def make_course(root: Path, extra_config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n"
                                             "c.Course.assignments = ['hw1', 'hw2']\n" + extra_config + "\n")
    for folder, nb in (("source", notebook(REFERENCE, source=True)),
                       ("release", notebook(dict.fromkeys(TEMPLATE, STUB)))):
        (root / folder / "hw1").mkdir(parents=True)
        nbformat.write(nb, root / folder / "hw1" / "hw1.ipynb")
    return root


def submit(root: Path, student: str, bodies: dict[str, str], assignment: str = "hw1") -> Path:
    target = root / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(bodies), target / "hw1.ipynb")
    return target / "hw1.ipynb"
