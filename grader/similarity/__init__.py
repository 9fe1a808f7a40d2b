"""Similarity between submissions: who wrote the same code, shown side by side (``grader similarity hwN``).

Stages, in order (one module each):
  1. extract     the code each student wrote: solution cells only, the release template subtracted
  2. normalize   a token stream from Python's ``tokenize``/``ast``: identifiers and literals collapsed;
                 comments, docstrings, prints, imports and dead code dropped; functions in a canonical order
  3. winnow      k-gram hashes, winnowed (Schleimer, Wilkerson, Aiken, SIGMOD 2003), each mapped to source lines
  4. index       an inverted index fingerprint -> documents; pairs come from shared fingerprints only
  5. compare     per pair: similarity, the share of each side that matches, the matching regions, longest span
Writers: ``html`` (the side-by-side page), ``results`` (the JSON the report reads); ``run`` ties them together.
Nothing is penalised: flagged pairs are for the instructor to look at.
"""
