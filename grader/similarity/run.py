"""The stages in order, for one assignment: extract → normalize → winnow → index → compare, then the files.

``compare_documents`` is the pure core (the benchmark calls it on a synthetic corpus); ``compare_assignment``
reads a course; ``write_results`` writes ``gradebook/similarity/hwN.json`` (what ``grader report`` reads for its
"needs attention" list, so the report never recomputes) and the side-by-side page ``hwN.html``.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.course import CourseFolder
from grader.similarity.compare import Match, Score, regions, scores
from grader.similarity.config import Similarity, load_similarity_config
from grader.similarity.extract import Source, collect_sources, release_source
from grader.similarity.index import build_index, overlap_arrays
from grader.similarity.normalize import Document, api_names, normalize
from grader.similarity.winnow import fingerprint, kgram_hashes

COMMON_MIN = 10  # a fingerprint is "common" only when more than this many documents hold it
TOP = 200  # unflagged pairs kept for the ranked table (the most similar); every flagged pair is kept
PARALLEL_FROM = 64  # fewer submissions are normalised in this process (starting workers costs more)


@dataclass(frozen=True)
class Params:
    threshold: float = 0.4
    min_shared: int = 15
    kgram: int = 12
    window: int = 6
    common_share: float = 0.5

    @classmethod
    def of(cls, config: Similarity) -> Params:
        return cls(config.threshold, config.min_shared, config.kgram, config.window, config.common_share)


@dataclass(frozen=True)
class Outcome:
    """One assignment compared."""

    assignment: str
    params: Params
    documents: tuple[Document, ...]
    scores: tuple[Score, ...]      # the flagged pairs and the TOP most similar others, most similar first
    matches: tuple[Match, ...]     # the flagged ones, with their regions
    seconds: float

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)


def flagged(score: Score, params: Params) -> bool:
    return score.similarity >= params.threshold and score.shared >= params.min_shared


def compare_documents(docs: Sequence[Document], params: Params, release: Document | None = None
                      ) -> tuple[list[Score], list[Match]]:
    """Every pair sharing code, ranked, and the flagged ones with their regions. ``release``: its k-grams are
    subtracted from every document (the template never counts, however renamed or reformatted)."""
    base = frozenset(int(h) for h in kgram_hashes(release.tokens, params.kgram)) if release else frozenset()
    prints = [fingerprint(d.tokens, params.kgram, params.window, base) for d in docs]
    index = build_index(prints, max(COMMON_MIN, int(params.common_share * len(docs))))
    ranked = scores(overlap_arrays(index, [d.kind for d in docs]), index, docs, threshold=params.threshold,
                    min_shared=params.min_shared, top=TOP)
    position = {d.id: i for i, d in enumerate(docs)}
    matches = []
    for score in ranked:
        if not flagged(score, params):
            continue
        a, b = position[score.a], position[score.b]
        matches.append(Match(score, regions(docs[a], docs[b], prints[a], prints[b], index.ignored)))
    return ranked, matches


def normalize_all(sources: Sequence[Source], api: frozenset[str], workers: int = 0) -> list[Document]:
    """``normalize`` of every source, in order; on ``workers`` processes (0: one per core) for large classes."""
    workers = workers or os.cpu_count() or 1
    collecting = gc.isenabled()
    gc.disable()  # the parse trees are garbage at once and hold no cycles: full collections only cost time
    try:
        if workers == 1 or len(sources) < PARALLEL_FROM:
            return [normalize(s, api) for s in sources]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(normalize, sources, [api] * len(sources), chunksize=16))
    finally:
        if collecting:
            gc.enable()


def compare_assignment(course: CourseFolder, assignment: str, config: Similarity | None = None) -> Outcome:
    course.check_assignment(assignment)
    config = config or load_similarity_config(course.config)
    started = time.perf_counter()
    archive = None
    if config.archive_dir:
        archive = Path(config.archive_dir) if Path(config.archive_dir).is_absolute() else \
            course.root / config.archive_dir
    sources = collect_sources(course.root / "submitted", assignment, course.release(assignment),
                              course.source(assignment) if config.reference else None, archive)
    api = api_names(next((s for s in sources if s.kind == "reference"), None))
    docs = normalize_all(sources, api, config.workers)
    params = Params.of(config)
    ranked, matches = compare_documents(docs, params, normalize(release_source(course.release(assignment)), api))
    return Outcome(assignment, params, tuple(docs), tuple(ranked), tuple(matches),
                   time.perf_counter() - started)


def results_dir(course: CourseFolder) -> Path:
    return course.gradebook_dir / "similarity"


def write_results(course: CourseFolder, outcome: Outcome, page_pairs: int = 200) -> tuple[Path, Path]:
    """``gradebook/similarity/hwN.json`` (flagged pairs, for the report) and ``hwN.html`` (the first
    ``page_pairs`` flagged pairs side by side)."""
    from grader.similarity.html import render_page

    folder = results_dir(course)
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{outcome.assignment}.html"
    page.write_text(render_page(outcome, page_pairs), encoding="utf-8")
    data = {
        "assignment": outcome.assignment,
        "params": asdict(outcome.params),
        "documents": len(outcome.documents),
        "page": page.name,
        "flagged": [dict(asdict(m.score), longest_tokens=m.longest.tokens if m.longest else 0,
                         longest_lines_a=_range(m.longest.lines_a if m.longest else ()),
                         longest_lines_b=_range(m.longest.lines_b if m.longest else ())) for m in outcome.matches],
    }
    path = folder / f"{outcome.assignment}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path, page


def _range(lines: Sequence[int]) -> list[int]:
    return [min(lines), max(lines)] if lines else []
