"""Merkle trees as Certificate Transparency defines them (RFC 6962, restated in RFC 9162 §2.1).

Why our own and not a library: a proof must be checkable by anyone with the RFC in hand (and by
the standard-library verifier shipped in ``tools/``), so proofs here are the RFC's audit paths
and consistency proofs, byte for byte. pymerkle, the maintained Python library, proves in a
format of its own. The algorithms are short; ``tests/core/test_merkle.py`` checks them against
the test vectors of transparency-dev/merkle, the reference implementation CT logs use.

Standard library only: no Django, no database.

- A leaf's hash is ``SHA-256(0x00 || data)``, an interior node's ``SHA-256(0x01 || left ||
  right)``; the empty tree's hash is ``SHA-256("")``. The prefixes keep a leaf from passing for
  a node (a second pre-image).
- A tree of ``n`` leaves splits at ``k``, the largest power of two smaller than ``n``.
- Indexes count from 0; sizes are numbers of leaves.
"""

import hashlib
from collections.abc import Sequence
from functools import cache

__all__ = [
    "EMPTY_ROOT",
    "Tree",
    "frontier_append",
    "frontier_root",
    "leaf_hash",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """The tree over a list of leaf hashes, with the RFC's root, audit path and consistency
    proof. Subtree hashes are remembered, so proving every leaf of a log costs O(n log n)
    hashes in all, not O(n) each."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.leaves = list(leaf_hashes)
        self._hash = cache(self._subtree_hash)

    def __len__(self) -> int:
        return len(self.leaves)

    def _subtree_hash(self, start: int, end: int) -> bytes:
        # MTH(D[start:end]).
        if end - start == 0:
            return EMPTY_ROOT
        if end - start == 1:
            return self.leaves[start]
        k = _split(end - start)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self._hash(0, self._size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]): the sibling hashes from the leaf up to the root."""
        size = self._size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, start, start + k), self._hash(start + k, end)]
        return [*self._path(m - k, start + k, end), self._hash(start, start + k)]

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:second]): what shows the first ``first`` leaves unchanged."""
        second = self._size(second)
        if not 0 < first <= second:
            raise ValueError(f"no consistency proof from {first} leaves to {second}")
        return self._subproof(first, 0, second, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self._hash(start, end)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self._hash(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self._hash(start, start + k)]

    def _size(self, size: int | None) -> int:
        if size is None:
            return len(self.leaves)
        if not 0 <= size <= len(self.leaves):
            raise ValueError(f"the tree has {len(self.leaves)} leaves, not {size}")
        return size


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show ``leaf`` (a leaf hash) at ``index`` in the tree of
    ``size`` leaves whose root is ``root``?"""
    if not 0 <= index < size or any(len(h) != 32 for h in (leaf, root, *proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree of ``first`` leaves with ``first_root``
    to be the start of the tree of ``second`` leaves with ``second_root``?"""
    if any(len(h) != 32 for h in (first_root, second_root, *proof)):
        return False
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is itself a node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


# An append-only log need not re-read its leaves to know its root: the hashes of the complete
# subtrees along its right edge (the "frontier", one per set bit of the size, largest first)
# are enough to append a leaf and to compute the root, in O(log n).


def frontier_append(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier of the tree of ``size + 1`` leaves, from that of ``size`` leaves."""
    hashes, merged, remaining = list(frontier), leaf, size
    while remaining & 1:
        merged = node_hash(hashes.pop(), merged)
        remaining >>= 1
    hashes.append(merged)
    return hashes


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root
