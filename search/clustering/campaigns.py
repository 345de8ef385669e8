"""Mass campaigns: groups of near-identical comments, found on characters (no segmentation).

    find_campaigns(texts) -> CampaignResult

1. Each text is normalised (NFKC, traditional → simplified, lower case, without spaces and
   punctuation) and cut into
   character shingles (bigrams by default; the k-th repeat of a bigram is a shingle of its own); identical normalised texts are collapsed first.
2. MinHash signatures (numpy, multiply-shift hashing) and LSH banding propose candidate pairs.
   Candidate generation is tuned for recall: LSH's own false positives do not matter, because
3. every candidate pair is verified on the exact shingle sets, with a measure that survives a
   personal sentence appended to the form text (overlap over the shorter text, within a bounded
   length ratio) and a Jaccard floor.
4. Verified pairs are joined into groups (connected components); a group of `min_size` or more
   comments is a campaign. Its form text is the member closest to the shingles most members share,
   and each member's addition is the text it adds beyond the form (difflib on characters).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_MASK32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class CampaignParams:
    """Tunable thresholds. Defaults were chosen on the shared shopping-review set (see docs/search.md)."""

    shingle: int = 2  # characters per shingle
    permutations: int = 64  # MinHash signature length = bands × rows
    bands: int = 32
    overlap: float = 0.65  # |A∩B| / min(|A|,|B|) at least this …
    jaccard: float = 0.35  # … and |A∩B| / |A∪B| at least this …
    length_ratio: float = 0.45  # … and the shorter text at least this share of the longer (in shingles)
    min_chars: int = 12  # normalised texts shorter than this only join exact copies
    min_size: int = 2  # members (comments, counting exact copies) that make a campaign
    min_added: int = 4  # an addition shorter than this (normalised characters) is an edit, not an addition
    seed: int = 20260


@dataclass
class Campaign:
    """One campaign: `members` are indices into the input, `form` the index of the form text."""

    members: list[int]
    form: int
    form_text: str
    additions: dict[int, str] = field(default_factory=dict)  # member index → what it adds beyond the form

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class CampaignResult:
    """`group[i]` is the near-duplicate group of text i (every text has one; singletons too);
    `campaigns` lists the groups of at least `min_size` members, largest first."""

    group: np.ndarray
    campaigns: list[Campaign]

    def campaign_of(self) -> np.ndarray:
        """Per text, the index into `campaigns`, or -1."""
        result = np.full(len(self.group), -1, dtype=np.int64)
        for number, campaign in enumerate(self.campaigns):
            result[campaign.members] = number
        return result


def normalise(text: str) -> str:
    """The characters that carry meaning: NFKC, traditional → simplified, lower case, no spaces or
    punctuation (search.tokenize.normalize, which converts characters and does not segment)."""
    from search.tokenize import normalize

    return _NOISE.sub("", normalize(text or ""))


# --- shingles and signatures ---------------------------------------------------------------


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads codepoint combinations over 64 bits (wraps on purpose)."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def shingle_hashes(texts: Sequence[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every character `size`-gram of every (normalised) text, concatenated, and the
    offsets where each text's run starts (len(texts) + 1 entries). A text shorter than `size`
    is one shingle; an empty text has none."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    counts = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    # position of each shingle's first character in `codes`
    owner = np.repeat(np.arange(len(texts)), counts)
    first = starts[owner] + (np.arange(total) - offsets[owner])
    span = np.minimum(lengths[owner], size)
    hashes = np.zeros(total, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(size):
            inside = j < span
            part = np.where(inside, codes[np.minimum(first + j, len(codes) - 1)] if len(codes) else 0, 0)
            hashes = _mix(hashes ^ (part.astype(np.uint64) + np.uint64(j + 1) * np.uint64(0x100000001B3)))
    # the k-th occurrence of a shingle in a text is its own shingle: repeated phrases
    # ("很好很好很好…") keep their weight, as in weighted MinHash
    order = np.lexsort((hashes, owner))
    sorted_hashes = hashes[order]
    sorted_owner = owner[order]
    new_run = np.ones(total, dtype=bool)
    new_run[1:] = (sorted_hashes[1:] != sorted_hashes[:-1]) | (sorted_owner[1:] != sorted_owner[:-1])
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(total), 0))
    occurrence = np.empty(total, dtype=np.uint64)
    occurrence[order] = (np.arange(total) - run_start).astype(np.uint64)
    repeated = occurrence > 0
    with np.errstate(over="ignore"):
        hashes[repeated] = _mix(hashes[repeated] ^ (occurrence[repeated] * np.uint64(0xD6E8FEB86659FD93)))
    return hashes, offsets


def minhash(hashes: np.ndarray, offsets: np.ndarray, permutations: int, seed: int) -> np.ndarray:
    """MinHash signatures (texts × permutations, uint32) by multiply-shift hashing of the
    shingle hashes. Texts without shingles get all-ones rows (never equal to a real minimum)."""
    n = len(offsets) - 1
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=permutations, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=permutations, dtype=np.uint64)
    signatures = np.full((n, permutations), 0xFFFFFFFF, dtype=np.uint32)
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    if not len(nonempty):
        return signatures
    base = hashes & _MASK32
    starts = offsets[nonempty]
    with np.errstate(over="ignore"):
        for p in range(permutations):
            values = ((a[p] * base + b[p]) >> np.uint64(32)).astype(np.uint32)
            signatures[nonempty, p] = np.minimum.reduceat(values, starts)
    return signatures


def candidate_pairs(signatures: np.ndarray, bands: int) -> np.ndarray:
    """Pairs (i < j) that share a band of their signatures; an array of shape (m, 2).

    Within a bucket, each text is paired with the next one and with the bucket's first: linear in
    the bucket's size (a 10,000-copy campaign is not 50 million pairs), and across many bands
    enough to connect every group once the pairs are verified."""
    n, permutations = signatures.shape
    rows = permutations // bands
    found: list[np.ndarray] = []
    for band in range(bands):
        chunk = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.full(n, band, dtype=np.uint64)
        for column in range(rows):
            key = _mix(key ^ chunk[:, column])
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
        run_starts = np.concatenate(([0], boundaries))
        run_ends = np.concatenate((boundaries, [n]))
        sizes = run_ends - run_starts
        if not (sizes >= 2).any():
            continue
        # chain: each member with the next one in its bucket; star: each with the bucket's first
        same_as_next = sorted_keys[:-1] == sorted_keys[1:]
        found.append(np.stack([order[:-1][same_as_next], order[1:][same_as_next]], axis=1))
        run_of = np.repeat(np.arange(len(run_starts)), sizes)
        first = order[run_starts[run_of]]
        star = (sizes[run_of] > 2) & (first != order)
        found.append(np.stack([first[star], order[star]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    pairs.sort(axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


# --- verification and grouping -------------------------------------------------------------


def verify(a: set[int], b: set[int], params: CampaignParams) -> float:
    """Similarity of two shingle sets if they are near-duplicates under `params`, else 0."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not small or len(small) < params.length_ratio * len(large):
        return 0.0
    common = len(small & large)
    overlap = common / len(small)
    jaccard = common / (len(small) + len(large) - common)
    if overlap >= params.overlap and jaccard >= params.jaccard:
        return overlap
    return 0.0


def near_duplicate_groups(texts: Sequence[str], params: CampaignParams | None = None) -> np.ndarray:
    """Group label per text: texts with the same label are near-duplicates (transitively)."""
    params = params or CampaignParams()
    n = len(texts)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    normalised = [normalise(t) for t in texts]
    # exact copies first: one representative each
    first_of: dict[str, int] = {}
    unique_of = np.empty(n, dtype=np.int64)
    uniques: list[str] = []
    for index, text in enumerate(normalised):
        number = first_of.setdefault(text, len(uniques))
        if number == len(uniques):
            uniques.append(text)
        unique_of[index] = number
    m = len(uniques)
    long_enough = np.fromiter((len(t) >= params.min_chars for t in uniques), dtype=bool, count=m)
    edges_i: list[int] = []
    edges_j: list[int] = []
    candidates_index = np.flatnonzero(long_enough)
    if len(candidates_index) >= 2:
        subset = [uniques[i] for i in candidates_index]
        hashes, offsets = shingle_hashes(subset, params.shingle)
        signatures = minhash(hashes, offsets, params.permutations, params.seed)
        pairs = candidate_pairs(signatures, params.bands)
        sets: dict[int, set[int]] = {}

        def shingles(i: int) -> set[int]:
            found = sets.get(i)
            if found is None:
                found = sets[i] = set(hashes[offsets[i] : offsets[i + 1]].tolist())
            return found

        # drop pairs whose signatures agree far less than the Jaccard floor needs (≈3 standard errors)
        if len(pairs):
            agreement = (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)
            margin = 3 * np.sqrt(params.jaccard * (1 - params.jaccard) / params.permutations)
            pairs = pairs[agreement >= params.jaccard - margin]
        for i, j in pairs.tolist():
            if verify(shingles(i), shingles(j), params) > 0:
                edges_i.append(int(candidates_index[i]))
                edges_j.append(int(candidates_index[j]))
    graph = coo_matrix((np.ones(len(edges_i), dtype=np.int8), (edges_i, edges_j)), shape=(m, m))
    _count, unique_group = connected_components(graph, directed=False)
    return unique_group[unique_of].astype(np.int64)


def form_text_index(texts: Sequence[str], members: Sequence[int], size: int = 3, sample: int = 400) -> int:
    """The member whose shingles best match those shared by most members: the form text.
    Among equals, the most frequent exact text, then the shortest (fewest personal additions)."""
    chosen = list(members[:sample]) if len(members) > sample else list(members)
    normalised = {i: normalise(texts[i]) for i in chosen}
    shingle_sets = {i: _shingle_set(normalised[i], size) for i in chosen}
    frequency: Counter[str] = Counter()
    for found in shingle_sets.values():
        frequency.update(found)
    core = {s for s, count in frequency.items() if count * 2 >= len(chosen)}
    copies = Counter(normalised.values())

    def score(i: int) -> tuple[float, int, int]:
        found = shingle_sets[i]
        union = len(found | core) or 1
        return (len(found & core) / union, copies[normalised[i]], -len(normalised[i]))

    return max(chosen, key=score)


def _shingle_set(text: str, size: int) -> set[str]:
    if len(text) < size:
        return {text} if text else set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def addition(form: str, text: str, min_added: int = 4) -> str:
    """What `text` adds beyond `form`: its inserted or replaced passages of at least `min_added`
    meaningful characters, in order, joined by " … "."""
    if text == form:
        return ""
    matcher = difflib.SequenceMatcher(None, form, text, autojunk=False)
    parts = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            passage = text[j1:j2].strip()
            if len(normalise(passage)) >= min_added:
                parts.append(passage)
    return " … ".join(parts)


def find_campaigns(texts: Sequence[str], params: CampaignParams | None = None) -> CampaignResult:
    """Near-duplicate groups of `texts` and the campaigns among them (see the module docstring)."""
    params = params or CampaignParams()
    group = near_duplicate_groups(texts, params)
    members_of: dict[int, list[int]] = {}
    for index, label in enumerate(group.tolist()):
        members_of.setdefault(label, []).append(index)
    campaigns = []
    for members in members_of.values():
        if len(members) < params.min_size:
            continue
        form = form_text_index(texts, members, params.shingle)
        form_text = texts[form]
        additions = {}
        for member in members:
            if member != form:
                added = addition(form_text, texts[member], params.min_added)
                if added:
                    additions[member] = added
        campaigns.append(Campaign(members=members, form=form, form_text=form_text, additions=additions))
    campaigns.sort(key=lambda c: (-c.size, c.members[0]))
    return CampaignResult(group=group, campaigns=campaigns)
