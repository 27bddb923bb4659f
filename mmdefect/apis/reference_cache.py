"""Reference features shared by the pairs of one inferencer call."""
import os.path as osp
from collections import Counter
from typing import Optional, Sequence

import numpy as np


def reference_key(records: Sequence) -> Optional[tuple]:
    """What identifies the one reference of ``records`` (its path, or the
    array object), or ``None`` if they have several."""
    keys = {('array', id(r.ref)) if isinstance(r.ref, np.ndarray) else
            ('path', osp.realpath(r.ref)) for r in records}
    return keys.pop() if len(keys) == 1 else None


class ReferenceCache:
    """Encodes a reference that serves several pairs of a call only once.

    Applies to a model with a reference-feature cache (``encode_reference``
    and ``predict(..., ref_feats=)``, e.g. ``SiameseEncoderDecoder``) in
    whole-image test mode, for a batch whose pairs share one reference (a
    file, or one array object) used by more than one pair of the call. The
    features are kept for the call, per reference and input size; the pairs
    served get ``reference_cached``.

    Args:
        model: The segmentor.
        records (Sequence[PairInput]): The pairs of the call.
    """

    def __init__(self, model, records: Sequence = ()) -> None:
        uses = Counter(reference_key([r]) for r in records if not r.error)
        self.shared = {key for key, count in uses.items() if count > 1}
        self.model = model
        self.feats: dict = {}

    def predict(self, batch: dict, records: Sequence) -> Optional[list]:
        """The predictions of a collated batch from the cached reference
        features, or ``None`` when the cache does not apply."""
        key = reference_key(records)
        mode = (self.model.test_cfg or {}).get('mode', 'whole')
        if key not in self.shared or mode != 'whole' or not hasattr(
                self.model, 'encode_reference') or not getattr(
                    self.model, 'caches_reference', True):
            return None
        data = self.model.data_preprocessor(batch, False)
        inputs = data['inputs']
        feats = self.feats.get(key)  # encoded at this size
        if feats is None or feats.input_shape != tuple(inputs.shape[2:]):
            feats = self.feats[key] = self.model.encode_reference(inputs[:1])
        for record in records:
            record.reference_cached = True
        return self.model.predict(
            inputs, data['data_samples'], ref_feats=feats)
