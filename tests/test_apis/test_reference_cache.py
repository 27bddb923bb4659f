"""ReferenceCache: which pairs share a reference, and when it applies."""
import numpy as np

from mmdefect.apis.pair_inputs import PairInput
from mmdefect.apis.reference_cache import ReferenceCache, reference_key


class _Model:

    def __init__(self, mode='whole', caches_reference=True):
        self.test_cfg = dict(mode=mode)
        self.caches_reference = caches_reference

    def encode_reference(self, inputs):
        raise AssertionError('not reached')


def test_reference_key(tmp_path):
    ref = np.zeros((4, 4, 3), np.uint8)
    same = [PairInput(0, 'a.png', str(tmp_path / 'r.png'), 'a'),
            PairInput(1, 'b.png', str(tmp_path / '.' / 'r.png'), 'b')]
    assert reference_key(same) == ('path', str(tmp_path / 'r.png'))
    assert reference_key([PairInput(0, ref, ref, 'x')]) == ('array', id(ref))
    assert reference_key(same + [PairInput(2, ref, ref, 'x')]) is None
    # equal arrays are different references: only the object counts
    assert reference_key([PairInput(0, ref, ref, 'x'),
                          PairInput(1, ref, ref.copy(), 'y')]) is None


def test_only_references_of_several_pairs_are_cached():
    shared = np.zeros((4, 4, 3), np.uint8)
    single = np.ones((4, 4, 3), np.uint8)
    records = [PairInput(0, shared, shared, 'a'),
               PairInput(1, single, shared, 'b'),
               PairInput(2, single, single, 'c'),
               PairInput(3, single, single, 'd', error='broken')]
    cache = ReferenceCache(_Model(), records)
    assert cache.shared == {('array', id(shared))}
    # a reference used once (the failed pair does not count) is not cached
    assert cache.predict({}, records[2:3]) is None
    # mixed references in one batch: not cached
    assert cache.predict({}, records[:3]) is None
    slide = ReferenceCache(_Model('slide'), records)
    assert slide.predict({}, records[:2]) is None  # slide mode: not cached
    # early fusion encodes the pair jointly: nothing to cache
    early = ReferenceCache(_Model(caches_reference=False), records)
    assert early.predict({}, records[:2]) is None
    assert not any(r.reference_cached for r in records)
