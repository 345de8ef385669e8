"""Feedback clustering as pure functions: lists and arrays in, labels out (no Django).

- campaigns: near-identical comments (mass campaigns) on characters, MinHash-LSH + exact check
- themes: vectors (words + character n-grams, LSA), k-means with k chosen or given, labels,
  representatives, stance counts, incremental assignment and matching to earlier themes
- evaluation: injected campaigns and pair scores, for tests and `python -m search.bench`
"""
