"""Feedback clustering as pure functions: lists and arrays in, labels out (no Django).

- campaigns: near-identical comments (mass campaigns) on characters, MinHash-LSH + exact check,
  form text and what each signer added
- themes: vectors (words, LSA), k-means refined by EM with k given or chosen, distinctive terms,
  representatives, stance counts, incremental assignment and matching to earlier themes
- pipeline: both on a list of comments, a campaign being one weighted item
- evaluation: injected campaigns and pair scores, for tests and `python -m search.bench`

The database side is consultations/clustering.py; the method and figures are in docs/search.md.
"""
