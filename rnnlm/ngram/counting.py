"""Vectorised n-gram counting: every order's n-grams as a sorted array of int64 keys.

An m-gram ``(w_1, ..., w_m)`` is stored as the key ``prefix * V + w_m``, where ``prefix`` is
the index of its (m-1)-gram prefix ``(w_1, ..., w_{m-1})`` among the sorted keys of order
m-1 (the unigram's prefix is the empty context, index 0). The keys of one order are the
nodes of one level of a trie, laid out flat: looking an m-gram up is one ``np.searchsorted``
per order, and the followers of a context are one contiguous slice. Because a prefix index
is smaller than the number of tokens, ``prefix * V + w`` fits in int64 for any order (plain
base-V keys would overflow beyond V ** order > 2 ** 63).

Looking up a whole stream is a hash-table probe per order (`KeyIndex`, linear probing
built and probed with whole-array operations): about three times faster than a binary search
over a large key array, whose every step misses the cache.

Counting a stream of N tokens is one ``np.unique`` per order (no Python loop over tokens):

    stream     a  b  a  b  c              V = 3 (a=0, b=1, c=2)
    order 1    a  b  a  b  c      keys [0, 1, 2]           counts [2, 2, 1]
    order 2       ab ba ab bc     keys [0*3+1, 1*3+0, 1*3+2] counts [2, 1, 1]

The continuation count of an m-gram (Kneser & Ney 1995; Chen & Goodman 1998, sec. 2.7) is
the number of distinct (m+1)-grams that end with it, N1+(. w_1 ... w_m).

References: S. F. Chen and J. Goodman, "An Empirical Study of Smoothing Techniques for
Language Modeling", Harvard TR-10-98, 1998.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class NGramCounts:
    """The n-grams of orders 1..order of one token stream (index m-1 holds order m)."""

    vocab_size: int
    keys: list[np.ndarray]  # sorted int64 keys, prefix_index * V + last_word
    counts: list[np.ndarray]  # int64 occurrences of each key
    continuation: list[np.ndarray]  # int64 N1+(. gram) for orders < order; unused at the top
    index: list[KeyIndex]  # hash index over each order's keys, for lookups

    @property
    def order(self) -> int:
        return len(self.keys)

    def prefixes(self, order: int) -> np.ndarray:
        """Index of each order-``order`` key's prefix among the keys of order - 1."""
        return self.keys[order - 1] // self.vocab_size


def count_ngrams(ids: np.ndarray, order: int, vocab_size: int) -> NGramCounts:
    """Count every m-gram (m = 1..order) of the stream ``ids`` [N] over all positions."""
    keys, counts, nodes_per_order = [], [], []
    nodes = None  # [N - m + 1]: index of the m-gram ending at position m-1+j, for the current m
    for m in range(1, order + 1):
        if m == 1:
            gram_keys = ids.astype(np.int64)  # [N]
        else:
            gram_keys = nodes[:-1] * vocab_size + ids[m - 1:]  # [N - m + 1]
        unique, nodes, occurrences = _unique(gram_keys)
        keys.append(unique)
        counts.append(occurrences)
        nodes_per_order.append(nodes)

    continuation = []
    for m in range(1, order + 1):
        if m == order:
            continuation.append(np.zeros(0, dtype=np.int64))
            continue
        longer = nodes_per_order[m]  # order m+1 grams ending at positions m..N-1
        one_position = np.empty(len(keys[m]), dtype=np.int64)
        one_position[longer] = np.arange(len(longer))  # any occurrence of each distinct (m+1)-gram
        suffix = nodes_per_order[m - 1][1:][one_position]  # the m-gram ending at the same position
        continuation.append(np.bincount(suffix, minlength=len(keys[m - 1])).astype(np.int64))
    return NGramCounts(vocab_size, keys, counts, continuation, [KeyIndex(k) for k in keys])


def lookup_stream(counts: NGramCounts, ids: np.ndarray) -> list[np.ndarray]:
    """Per order m, the key index of the m-gram ending at each position (-1 if never counted).

    The array for order m has length ``len(ids) - m + 1`` (positions m-1 .. N-1), shorter
    (possibly empty) near the start of the stream, where fewer tokens precede.
    """
    vocab_size = counts.vocab_size
    nodes_per_order = []
    for m in range(1, counts.order + 1):
        if m == 1:  # the unigram keys are the word ids themselves: a dense table
            dense = np.full(vocab_size, -1, dtype=np.int64)
            dense[counts.keys[0]] = np.arange(len(counts.keys[0]))
            nodes_per_order.append(dense[ids])
            continue
        prefix = nodes_per_order[-1][:-1]
        words = ids[m - 1:].astype(np.int64)
        nodes = np.full(len(words), -1, dtype=np.int64)
        seen_prefix = prefix >= 0
        query = prefix[seen_prefix] * vocab_size + words[seen_prefix]
        nodes[seen_prefix] = counts.index[m - 1].find(query)
        nodes_per_order.append(nodes)
    return nodes_per_order


def lookup_gram(counts: NGramCounts, gram: np.ndarray) -> int:
    """Key index of one m-gram (m = len(gram) >= 1) at order m, or -1 if never counted."""
    node = 0
    for m, word in enumerate(gram, start=1):
        node = int(_find(counts.keys[m - 1], np.array([node * counts.vocab_size + int(word)]))[0])
        if node < 0:
            return -1
    return node


def followers(counts: NGramCounts, order: int, prefix: int) -> slice:
    """The slice of order-``order`` keys whose prefix is ``prefix`` (one contiguous run)."""
    keys = counts.keys[order - 1]
    start, stop = np.searchsorted(keys, [prefix * counts.vocab_size, (prefix + 1) * counts.vocab_size])
    return slice(int(start), int(stop))


class KeyIndex:
    """Hash index of distinct non-negative int64 keys: ``find(query)`` -> position in ``keys``, or -1.

    Linear probing laid out in one pass: sorted by home slot, key i lands in slot
    ``max(home_i, slot_{i-1} + 1)`` = ``i + max_{j <= i}(home_j - j)``, a cumulative maximum.
    The table grows past its nominal size instead of wrapping around, and always ends with an
    empty slot, so that every probe sequence stops.
    """

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4)

    def __init__(self, keys: np.ndarray) -> None:
        bits = max(4, int(2 * len(keys)).bit_length())  # load factor <= 1/2
        self._shift = np.uint64(64 - bits)
        sorted_home, order = _sort_with_positions(self._home(keys))  # [K]
        ranks = np.arange(len(keys))
        slots = ranks + np.maximum.accumulate(sorted_home - ranks) if len(keys) else ranks
        size = max((1 << bits) + 1, int(slots[-1]) + 2 if len(keys) else 0)
        self._slot_key = np.full(size, -1, dtype=np.int64)
        self._slot_position = np.full(size, -1, dtype=np.int64)
        self._slot_key[slots] = keys[order]
        self._slot_position[slots] = order

    def _home(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys.astype(np.uint64) * self._MULTIPLIER) >> self._shift).astype(np.int64)

    def find(self, query: np.ndarray) -> np.ndarray:
        """Position of each query key in the indexed array, -1 where absent."""
        slot = self._home(query)  # [Q]
        found = self._slot_key[slot]
        result = np.where(found == query, self._slot_position[slot], -1)
        probing = np.flatnonzero((found != query) & (found != -1))  # collided: try the next slot
        while len(probing):
            slot[probing] += 1
            next_slot = slot[probing]
            found = self._slot_key[next_slot]
            hit = found == query[probing]
            result[probing[hit]] = self._slot_position[next_slot[hit]]
            probing = probing[~hit & (found != -1)]
        return result


def _sort_with_positions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted values, the permutation that sorts them) of non-negative int64 ``values``.

    Where it fits in 63 bits, each value is packed with its position, ``value << b | position``,
    and sorted by value: a plain sort of one int64 array, two to three times faster than
    ``np.argsort`` (which sorts indices through an indirection).
    """
    bits = max(1, (len(values) - 1).bit_length())
    if len(values) == 0 or int(values.max()) >= 1 << (63 - bits):
        order = np.argsort(values)
        return values[order], order
    packed = (values << bits) | np.arange(len(values), dtype=np.int64)
    packed.sort()
    return packed >> bits, packed & ((1 << bits) - 1)


def _unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True, return_counts=True)``, faster (one plain sort)."""
    if len(values) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    sorted_values, order = _sort_with_positions(values)
    starts_group = np.empty(len(values), dtype=bool)
    starts_group[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=starts_group[1:])
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    return sorted_values[starts], inverse, np.diff(np.append(starts, len(values)))


def _find(sorted_keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index of each query in ``sorted_keys``, -1 where absent."""
    if len(sorted_keys) == 0:
        return np.full(len(query), -1, dtype=np.int64)
    position = np.searchsorted(sorted_keys, query)
    position[position == len(sorted_keys)] = 0
    return np.where(sorted_keys[position] == query, position, -1)
