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
   and each member's addition is the text it adds beyond the form (an alignment on characters).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_MASK32 = np.uint64(0xFFFFFFFF)
NO_KEY = 0  # an index key no text has: a band of a text too short for a signature


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
    keys: np.ndarray | None = None  # per text, its keys in a CampaignIndex (texts × (1 + bands), uint32)

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


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """One 64-bit key per text and LSH band (texts × bands): the band's rows of the signature, mixed."""
    n, permutations = signatures.shape
    rows = permutations // bands
    keys = np.empty((n, bands), dtype=np.uint64)
    for band in range(bands):
        chunk = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.full(n, band, dtype=np.uint64)
        for column in range(rows):
            key = _mix(key ^ chunk[:, column])
        keys[:, band] = key
    return keys


def candidate_pairs(signatures: np.ndarray, bands: int, keys: np.ndarray | None = None) -> np.ndarray:
    """Pairs (i < j) that share a band of their signatures; an array of shape (m, 2).

    Within a bucket, each text is paired with the next one and with the bucket's first: linear in
    the bucket's size (a 10,000-copy campaign is not 50 million pairs), and across many bands
    enough to connect every group once the pairs are verified."""
    n = len(signatures)
    keys = band_keys(signatures, bands) if keys is None else keys
    found: list[np.ndarray] = []
    for band in range(bands):
        key = keys[:, band]
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
    # distinct pairs in (i, j) order: one int64 key a pair (i·n + j) sorts far faster than rows (np.unique on
    # axis 0 views each row as a record: 16 s of 58 at 381,286 texts)
    codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack([codes // n, codes % n], axis=1)


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
    return _near_duplicates(texts, params or CampaignParams())[0]


def _exact_keys(normalised: Sequence[str]) -> np.ndarray:
    """A 32-bit key of each normalised text (never NO_KEY): exact copies share it."""
    keys = np.fromiter(
        (zlib.crc32(text.encode("utf-8")) for text in normalised), dtype=np.uint32, count=len(normalised)
    )
    keys[keys == NO_KEY] = 1
    return keys


def _stored_keys(keys: np.ndarray) -> np.ndarray:
    """64-bit band keys cut to the 32 bits the index keeps (never NO_KEY)."""
    cut = (keys & _MASK32).astype(np.uint32)
    cut[cut == NO_KEY] = 1
    return cut


def _near_duplicates(texts: Sequence[str], params: CampaignParams) -> tuple[np.ndarray, np.ndarray]:
    """Group label per text, and each text's index keys (texts × (1 + bands), uint32: the exact-text
    key, then one key per band; NO_KEY where a text is too short for a signature)."""
    n = len(texts)
    keys = np.zeros((n, 1 + params.bands), dtype=np.uint32)
    if n == 0:
        return np.empty(0, dtype=np.int64), keys
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
    unique_keys = np.zeros((m, 1 + params.bands), dtype=np.uint32)
    unique_keys[:, 0] = _exact_keys(uniques)
    long_enough = np.fromiter((len(t) >= params.min_chars for t in uniques), dtype=bool, count=m)
    edges_i: list[int] = []
    edges_j: list[int] = []
    candidates_index = np.flatnonzero(long_enough)
    if len(candidates_index):
        subset = [uniques[i] for i in candidates_index]
        hashes, offsets, signatures = _signed(subset, params)
        bands = band_keys(signatures, params.bands)
        unique_keys[candidates_index, 1:] = _stored_keys(bands)
        if len(candidates_index) >= 2:
            pairs = candidate_pairs(signatures, params.bands, bands)
            for i, j in _verified(pairs, signatures, hashes, offsets, params):
                edges_i.append(int(candidates_index[i]))
                edges_j.append(int(candidates_index[j]))
    graph = coo_matrix((np.ones(len(edges_i), dtype=np.int8), (edges_i, edges_j)), shape=(m, m))
    _count, unique_group = connected_components(graph, directed=False)
    return unique_group[unique_of].astype(np.int64), unique_keys[unique_of]


SHINGLE_SETS = 50_000  # shingle sets kept while verifying (pairs come by their first text; copies recur)
PAIR_SLICE = 200_000  # candidate pairs whose signatures are compared at a time
CHUNK = 50_000  # texts hashed at a time: the temporary arrays of hashing grow with the characters hashed at once


def _signed(texts: Sequence[str], params: CampaignParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`shingle_hashes` and `minhash` of `texts`, CHUNK texts at a time (each text's values are its own, so
    the result is the same): 423,719 comments hashed at once held about 2 GB of temporary arrays."""
    hashes: list[np.ndarray] = []
    offsets: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
    signatures: list[np.ndarray] = []
    for start in range(0, len(texts), CHUNK):
        part, part_offsets = shingle_hashes(texts[start : start + CHUNK], params.shingle)
        signatures.append(minhash(part, part_offsets, params.permutations, params.seed))
        offsets.append(part_offsets[1:] + sum(len(h) for h in hashes))
        hashes.append(part)
    return np.concatenate(hashes), np.concatenate(offsets), np.concatenate(signatures)


def _verified(
    pairs: np.ndarray, signatures: np.ndarray, hashes: np.ndarray, offsets: np.ndarray, params: CampaignParams
) -> list[tuple[int, int]]:
    """Enough of the candidate pairs that are near-duplicates, checked on their exact shingle sets, to join
    the texts all of them would join: only the groups they make (connected components) are used, so a pair
    whose texts are already joined by pairs verified before it is not checked (a union-find over the texts).
    At 423,719 comments: 438,187 checks where there were 1,713,156."""

    @lru_cache(maxsize=SHINGLE_SETS)  # not all: 400,000 comments' sets took 3 GB
    def shingles(i: int) -> set[int]:
        return set(hashes[offsets[i] : offsets[i + 1]].tolist())

    # drop pairs whose signatures agree far less than the Jaccard floor needs (≈3 standard errors)
    if len(pairs):
        margin = 3 * np.sqrt(params.jaccard * (1 - params.jaccard) / params.permutations)
        # in slices: millions of pairs × 64 values compared at once took gigabytes
        kept = [
            part[(signatures[part[:, 0]] == signatures[part[:, 1]]).mean(axis=1) >= params.jaccard - margin]
            for part in (pairs[start : start + PAIR_SLICE] for start in range(0, len(pairs), PAIR_SLICE))
        ]
        pairs = np.concatenate(kept)
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        top = x
        while (up := parent.get(top, top)) != top:
            top = up
        while x != top:  # path compression
            parent[x], x = top, parent[x]
        return top

    verified = []
    for i, j in pairs.tolist():
        a, b = root(i), root(j)
        if a != b and verify(shingles(i), shingles(j), params) > 0:
            parent[a] = b
            verified.append((i, j))
    return verified


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
    meaningful characters, in order, joined by " … ".

    The passages come from a longest-common-subsequence alignment (rapidfuzz's Indel opcodes, in C++: difflib's
    matcher took 46 s of a full clustering run at 423,719 comments, this about a tenth). Where a passage could
    sit one character earlier or later (a text that repeats the form's last "。" before its own sentence), it is
    slid as far right as the text allows, so it starts with the writer's words rather than the form's punctuation.
    """
    if text == form:
        return ""
    opcodes = [(op.tag, op.dest_start, op.dest_end) for op in Indel.opcodes(form, text)]
    parts = []
    for number, (tag, start, end) in enumerate(opcodes):
        if tag not in ("insert", "replace"):
            continue
        if tag == "insert" and number + 1 < len(opcodes) and opcodes[number + 1][0] == "equal":
            limit = opcodes[number + 1][2]
            while end < limit and text[start] == text[end]:
                start, end = start + 1, end + 1
        passage = text[start:end].strip()
        if len(normalise(passage)) >= min_added:
            parts.append(passage)
    return " … ".join(parts)


def find_campaigns(texts: Sequence[str], params: CampaignParams | None = None) -> CampaignResult:
    """Near-duplicate groups of `texts` and the campaigns among them (see the module docstring)."""
    params = params or CampaignParams()
    group, keys = _near_duplicates(texts, params)
    members_of: dict[int, list[int]] = {}
    for index, label in enumerate(group.tolist()):
        members_of.setdefault(label, []).append(index)
    campaigns = [
        campaign_of(texts, members, params) for members in members_of.values() if len(members) >= params.min_size
    ]
    campaigns.sort(key=lambda c: (-c.size, c.members[0]))
    return CampaignResult(group=group, campaigns=campaigns, keys=keys)


def campaign_of(texts: Sequence[str], members: list[int], params: CampaignParams) -> Campaign:
    """The campaign of these members of `texts`: its form text and what each other member adds."""
    form = form_text_index(texts, members, params.shingle)
    form_text = texts[form]
    additions = {}
    for member in members:
        if member != form:
            added = addition(form_text, texts[member], params.min_added)
            if added:
                additions[member] = added
    return Campaign(members=members, form=form, form_text=form_text, additions=additions)


# --- between runs: the index of comments already seen ----------------------------------------


@dataclass
class CampaignIndex:
    """The LSH index campaign detection keeps between runs: `ids[r]` (a comment id) has the keys
    `keys[r]` (the exact-text key, then one per band; see `_near_duplicates`). A full run builds it;
    an incremental run looks new comments up in it (`probe`) and appends them. 4 bytes per key:
    132 bytes a comment with the default 32 bands."""

    ids: np.ndarray  # int64
    keys: np.ndarray  # uint32, (len(ids), 1 + bands)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls, params: CampaignParams | None = None) -> CampaignIndex:
        params = params or CampaignParams()
        return cls(np.empty(0, dtype=np.int64), np.zeros((0, 1 + params.bands), dtype=np.uint32))

    @classmethod
    def joined(cls, parts: Sequence[CampaignIndex]) -> CampaignIndex:
        if not parts:
            return cls.empty()
        return cls(np.concatenate([part.ids for part in parts]), np.concatenate([part.keys for part in parts]))

    def to_bytes(self) -> bytes:
        header = np.array([len(self.ids), self.keys.shape[1]], dtype=np.int64)
        return header.tobytes() + self.ids.astype("<i8").tobytes() + self.keys.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> CampaignIndex:
        count, width = np.frombuffer(data, dtype="<i8", count=2).tolist()
        ids = np.frombuffer(data, dtype="<i8", count=count, offset=16).astype(np.int64)
        keys = np.frombuffer(data, dtype="<u4", count=count * width, offset=16 + 8 * count)
        return cls(ids, keys.reshape(count, width).astype(np.uint32))

    def matches(self, keys: np.ndarray, *, bucket: int = 8, min_bands: int = 2) -> np.ndarray:
        """Pairs (new text, index row) worth verifying, for new texts with `keys`: the same exact-text key,
        or at least `min_bands` band keys in common. A bucket (a key) shared by more than `bucket` rows
        offers only its first and last row, as a full run pairs a text with its bucket's first and its
        neighbour: a 10,000-copy campaign's members are connected already."""
        if not len(self) or not len(keys):
            return np.empty((0, 2), dtype=np.int64)
        found = [self._bucket_pairs(keys[:, column], self.keys[:, column], bucket) for column in range(keys.shape[1])]
        pairs = np.unique(np.concatenate(found), axis=0)
        if not len(pairs):
            return pairs
        new, old = keys[pairs[:, 0]], self.keys[pairs[:, 1]]
        same = (new == old) & (new != NO_KEY)
        keep = same[:, 0] | (same[:, 1:].sum(axis=1) >= min_bands)
        return pairs[keep]

    @staticmethod
    def _bucket_pairs(new: np.ndarray, old: np.ndarray, bucket: int) -> np.ndarray:
        """(new row, old row) pairs sharing a key in one column, large buckets cut to their ends."""
        wanted = np.unique(new[new != NO_KEY])
        if not len(wanted):
            return np.empty((0, 2), dtype=np.int64)
        position = np.minimum(np.searchsorted(wanted, old), len(wanted) - 1)
        rows = np.flatnonzero(wanted[position] == old)
        if not len(rows):
            return np.empty((0, 2), dtype=np.int64)
        order = np.argsort(old[rows], kind="stable")  # by key, then by row
        rows, row_keys = rows[order], old[rows[order]]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(row_keys)) + 1))
        ends = np.concatenate((starts[1:], [len(rows)]))
        sizes = ends - starts
        # a small bucket: every row; a large one: its first and last
        keep = np.zeros(len(rows), dtype=bool)
        small = np.repeat(sizes <= bucket, sizes)
        keep[small] = True
        keep[starts] = True
        keep[ends - 1] = True
        rows, row_keys = rows[keep], row_keys[keep]
        # each kept row with every new text of its key
        new_order = np.argsort(new, kind="stable")
        sorted_new = new[new_order]
        left = np.searchsorted(sorted_new, row_keys, side="left")
        right = np.searchsorted(sorted_new, row_keys, side="right")
        counts = right - left
        old_rows = np.repeat(rows, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        new_rows = new_order[np.repeat(left, counts) + offsets]
        return np.stack([new_rows, old_rows], axis=1).astype(np.int64)


@dataclass
class Probe:
    """New texts looked up in a CampaignIndex: their keys and groups among themselves, and the index
    rows (`candidates`, with `pairs` new text ↔ row) that may be near-duplicates of them."""

    keys: np.ndarray
    group: np.ndarray  # near-duplicate group of each new text, among the new ones
    pairs: np.ndarray  # (new text, index row)
    candidates: list[int]  # ids of the index rows in `pairs`: the comments to read for checking


def probe(index: CampaignIndex, texts: Sequence[str], params: CampaignParams | None = None) -> Probe:
    """Step one of incremental campaign detection: group the new texts among themselves (as a full run
    would) and find the indexed comments that may copy them. Reads nothing but its arguments."""
    params = params or CampaignParams()
    group, keys = _near_duplicates(texts, params)
    pairs = index.matches(keys)
    return Probe(keys=keys, group=group, pairs=pairs, candidates=sorted(set(index.ids[pairs[:, 1]].tolist())))


def link(index: CampaignIndex, found: Probe, texts: Sequence[str], known: dict[int, str], params=None) -> np.ndarray:
    """Step two: near-duplicate groups over the new texts followed by the `known` comments (id → text, the
    probe's candidates as read), numbered over both: label i < len(texts) is new text i's group. Each
    probed pair is checked on the exact shingle sets, as in a full run."""
    params = params or CampaignParams()
    known_ids = sorted(known)
    at = {pk: len(texts) + number for number, pk in enumerate(known_ids)}
    n = len(texts) + len(known_ids)
    edges_i: list[int] = []
    edges_j: list[int] = []
    first: dict[int, int] = {}
    for index_new, label in enumerate(found.group.tolist()):  # the new texts' own groups
        edges_i.append(first.setdefault(label, index_new))
        edges_j.append(index_new)
    normalised = [normalise(text) for text in texts] + [normalise(known[pk]) for pk in known_ids]
    hashes, offsets = shingle_hashes(normalised, params.shingle)
    sets: dict[int, set[int]] = {}

    def shingles(i: int) -> set[int]:
        if i not in sets:
            sets[i] = set(hashes[offsets[i] : offsets[i + 1]].tolist())
        return sets[i]

    for new_row, index_row in found.pairs.tolist():
        other = at.get(int(index.ids[index_row]))
        if other is None:
            continue  # not read (no longer visible)
        if normalised[new_row] == normalised[other]:
            linked = True
        elif min(len(normalised[new_row]), len(normalised[other])) < params.min_chars:
            linked = False  # short texts only join exact copies
        else:
            linked = verify(shingles(new_row), shingles(other), params) > 0
        if linked:
            edges_i.append(new_row)
            edges_j.append(other)
    graph = coo_matrix((np.ones(len(edges_i), dtype=np.int8), (edges_i, edges_j)), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)
