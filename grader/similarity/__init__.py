"""Similarity between submissions: who wrote the same code, shown side by side (``grader similarity hwN``).

Stages, in order (one module each):
  1. extract     the code each student wrote: solution cells only, the release template subtracted
  2. normalize   a token stream from Python's ``tokenize``/``ast``: identifiers and literals collapsed;
                 comments, docstrings, prints, imports and dead code dropped; functions in a canonical order
  3. winnow      k-gram hashes, winnowed (Schleimer, Wilkerson, Aiken, SIGMOD 2003), each mapped to source lines
  4. index       an inverted index fingerprint -> documents; pairs come from shared fingerprints only
  5. compare     per pair: similarity, the share of each side that matches, the matching regions, longest span
``run`` ties the stages together and writes the files: the side-by-side page (``html``) and the JSON that
``attention`` turns into the report's "needs attention" lines. ``cli`` is the verb; the demo's stage is
``grader.demo.similarity_stage``, and ``grader.demo.plant`` holds what copiers do (for the tests, the benchmark
and the demo).
Nothing is penalised: flagged pairs are for the instructor to look at.
"""
