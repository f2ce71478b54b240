"""core.merkle against the test vectors of transparency-dev/merkle (the reference RFC 6962
implementation CT logs use: testonly/constants.go and the proof vectors of its
testdata generator), and against every way a proof can be damaged."""

import itertools

import pytest

from core.merkle import (
    EMPTY_ROOT,
    Tree,
    frontier_append,
    frontier_root,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

LEAF_INPUTS = [
    b"",
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]
ROOTS = [  # by size, 0 to 8
    h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
# (leaf index counting from 1 as in the Go vectors, tree size, proof)
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
TREE = Tree([leaf_hash(data) for data in LEAF_INPUTS])
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_the_roots_of_every_size_match_the_reference():
    assert ROOTS[0] == EMPTY_ROOT
    assert [TREE.root(size) for size in range(9)] == ROOTS


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_reference_and_verify(leaf, size, proof):
    assert TREE.inclusion_proof(leaf - 1, size) == proof
    assert verify_inclusion(TREE.leaves[leaf - 1], leaf - 1, size, proof, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_and_verify(first, second, proof):
    assert TREE.consistency_proof(first, second) == proof
    assert verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)


def _flipped(proof, i):
    damaged = list(proof)
    damaged[i] = bytes([damaged[i][0] ^ 8]) + damaged[i][1:]
    return damaged


@pytest.mark.parametrize(("leaf", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_a_damaged_inclusion_proof_fails(leaf, size, proof):
    index, root, leaf_hash_ = leaf - 1, ROOTS[size], TREE.leaves[leaf - 1]
    wrong = [
        (index - 1, size, root, leaf_hash_, proof),
        (index + 1, size, root, leaf_hash_, proof),
        (index ^ 2, size, root, leaf_hash_, proof),
        (index, size * 2, root, leaf_hash_, proof),
        (index, size // 2, root, leaf_hash_, proof),
        (index, size, root, leaf_hash(b"WrongLeaf"), proof),
        (index, size, EMPTY_ROOT, leaf_hash_, proof),
        (index, size, SOME_HASH, leaf_hash_, proof),
        (index, size, root, leaf_hash_, [*proof, root]),
        (index, size, root, leaf_hash_, [root, *proof]),
        (index, size, root, leaf_hash_, [*proof, b""]),
        (index, size, root, leaf_hash_, proof[:-1]),
        (index, size, root, leaf_hash_, [proof[0], SOME_HASH, *proof[1:]]),
        *((index, size, root, leaf_hash_, _flipped(proof, i)) for i in range(len(proof))),
    ]
    for i, s, r, lh, p in wrong:
        assert not verify_inclusion(lh, i, s, p, r), (i, s)


@pytest.mark.parametrize(("first", "second", "proof"), [v for v in CONSISTENCY if v[2]])
def test_a_damaged_consistency_proof_fails(first, second, proof):
    r1, r2 = ROOTS[first], ROOTS[second]
    wrong = [
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof),
        (first, second, SOME_HASH, r2, proof),
        (first, second, r1, SOME_HASH, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [*proof, r2]),
        (first, second, r1, r2, [r1, *proof]),
        (first, second, r1, r2, [r2, *proof]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
        *((first, second, r1, r2, _flipped(proof, i)) for i in range(len(proof))),
    ]
    for f, s, a, b, p in wrong:
        assert not verify_consistency(f, s, a, b, p), (f, s)


def test_the_edge_cases_the_reference_tests():
    assert verify_consistency(0, 0, SOME_HASH, SOME_HASH, [])
    assert not verify_consistency(0, 1, EMPTY_ROOT, SOME_HASH, [])
    assert not verify_consistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert not verify_consistency(2, 1, SOME_HASH, SOME_HASH, [])
    assert not verify_inclusion(SOME_HASH, 0, 0, [], EMPTY_ROOT)
    assert verify_inclusion(leaf_hash(b"data"), 0, 1, [], leaf_hash(b"data"))
    with pytest.raises(ValueError, match="leaf 8 is not in a tree of 8 leaves"):
        TREE.inclusion_proof(8)
    with pytest.raises(ValueError, match="no consistency proof from 0 leaves to 8"):
        TREE.consistency_proof(0)


def test_every_proof_of_every_tree_up_to_40_leaves_verifies():
    tree = Tree([leaf_hash(bytes([i])) for i in range(40)])
    for size in range(1, 41):
        root = tree.root(size)
        for index in range(size):
            assert verify_inclusion(
                tree.leaves[index], index, size, tree.inclusion_proof(index, size), root
            )
    for first, second in itertools.combinations_with_replacement(range(1, 41), 2):
        proof = tree.consistency_proof(first, second)
        assert verify_consistency(first, second, tree.root(first), tree.root(second), proof)


def test_the_frontier_gives_the_same_root_as_the_whole_tree_at_every_size():
    tree = Tree([leaf_hash(bytes([i])) for i in range(40)])
    frontier: list[bytes] = []
    assert frontier_root(frontier) == EMPTY_ROOT
    for size, leaf in enumerate(tree.leaves):
        frontier = frontier_append(frontier, size, leaf)
        assert frontier_root(frontier) == tree.root(size + 1)
        assert len(frontier) == bin(size + 1).count("1")
