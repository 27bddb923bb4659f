"""Take a pair's reference image from memory, or else from its file."""
from typing import Optional

import numpy as np
from mmseg.registry import TRANSFORMS

from .load_ref_image import LoadRefImageFromFile


@TRANSFORMS.register_module()
class LoadRefImageFromNDArray(LoadRefImageFromFile):
    """Use ``results['ref_img']`` when present, else read ``ref_path``.

    The reference counterpart of mmseg's ``LoadImageFromNDArray`` /
    ``InferencerLoader``: the inferencer replaces ``LoadRefImageFromFile`` in
    a config's test pipeline by this transform, so a pipeline input may carry
    the reference either as an array (``ref_img``, HxWxC, BGR like mmcv's
    decoding) or as a path (``ref_path``).  An array gets the same checks and
    conversions as a decoded file: its height/width are compared with the
    inspected image's according to ``size_policy`` and ``to_float32`` is
    honoured.  ``ref_path`` keeps any value given with the array (a name for
    messages) and is otherwise set to ``None``.

    Args:
        See :class:`LoadRefImageFromFile`.
    """

    def transform(self, results: dict) -> Optional[dict]:
        """Check/convert an in-memory reference or load it from its file."""
        if results.get('ref_img') is None:
            return super().transform(results)
        ref = results['ref_img']
        if not isinstance(ref, np.ndarray):
            raise TypeError(f'LoadRefImageFromNDArray: "ref_img" must be a '
                            f'numpy array, got {type(ref).__name__}')
        results.setdefault('ref_path', None)
        return self._fit_reference(
            ref, results, results['ref_path'] or 'reference array',
            results.get('img_path') or 'inspected array')
