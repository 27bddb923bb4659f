"""Run geometric transforms on an image pair with one set of random draws."""
import random
from typing import List, Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmseg.registry import TRANSFORMS

from .label_size import check_label_size, check_label_size_policy


@TRANSFORMS.register_module()
class PairedTransform(BaseTransform):
    """Apply ``transforms`` to the inspected image, its labels and the
    reference with the **same** random parameters.

    Any mmcv/mmseg transform works unchanged inside (``RandomResize``,
    ``RandomCrop`` including ``cat_max_ratio``, ``RandomFlip``,
    ``RandomRotate``, ``Pad``, ...).  The wrapped pipeline first runs on the
    sample as usual; then, for every key in ``ref_keys``, it runs again on a
    copy in which ``img`` is that reference while labels and metadata are the
    sample's own, after restoring NumPy's and Python's global random states.
    Both passes therefore see the same shapes and labels and draw the same
    numbers, so crop windows, scales, flips and angles agree exactly.  The
    second pass's labels are compared with the first's; a transform whose
    randomness does not come from those global generators is detected and
    reported instead of silently misaligning the pair.

    Transforms outside a ``PairedTransform`` touch ``img`` only, which is how
    photometric augmentation is kept off the reference; wrapping a
    photometric transform in ``PairedTransform`` applies it identically to
    both images.

    Args:
        transforms (list[dict | callable]): the pipeline to share.
        ref_keys (Sequence[str]): keys of the images that follow ``img``.
            Defaults to ``('ref_img',)``.
        label_size_policy (str): before the transforms run, a label
            (``gt_seg_map``) of another size than the image raises an error
            naming both files (``'error'``, default) or is resized to it
            (``'resize'``, nearest neighbour); see
            :func:`~mmdefect.datasets.transforms.label_size.check_label_size`.
    """

    def __init__(self,
                 transforms: List[Union[dict, callable]],
                 ref_keys: Sequence[str] = ('ref_img', ),
                 label_size_policy: str = 'error'):
        self.transforms = Compose(transforms)
        self.ref_keys = tuple(ref_keys)
        self.label_size_policy = check_label_size_policy(
            label_size_policy, 'PairedTransform')

    def transform(self, results: dict) -> Optional[dict]:
        """Transform the sample, then replay the draws on each reference."""
        results = check_label_size(results, self.label_size_policy,
                                   'PairedTransform')
        np_state = np.random.get_state()
        py_state = random.getstate()
        out = self.transforms(dict(results))
        if out is None:
            return None
        np_after = np.random.get_state()
        py_after = random.getstate()
        seg_fields = [k for k in results.get('seg_fields', []) if k in out]
        for key in self.ref_keys:
            if key not in results:
                raise KeyError(f'PairedTransform: the sample '
                               f'{results.get("img_path")!r} has no {key!r}; '
                               f'load it first (LoadRefImageFromFile).')
            ref_in = dict(results)
            ref_in['img'] = results[key]
            for field in seg_fields:
                ref_in[field] = results[field].copy()
            np.random.set_state(np_state)
            random.setstate(py_state)
            ref_out = self.transforms(ref_in)
            self._check_replay(key, out, ref_out, seg_fields)
            out[key] = ref_out['img']
        np.random.set_state(np_after)
        random.setstate(py_after)
        return out

    def _check_replay(self, key: str, out: dict, ref_out: Optional[dict],
                      seg_fields: List[str]) -> None:
        same = ref_out is not None and ref_out['img'].shape[:2] == out[
            'img'].shape[:2] and all(
                np.array_equal(ref_out[f], out[f]) for f in seg_fields)
        if not same:
            raise RuntimeError(
                f'PairedTransform could not replay {self.transforms} on '
                f'{key!r} of {out.get("img_path")!r}: the two passes '
                f'produced different geometry, so a wrapped transform draws '
                f'random numbers outside numpy.random/random. Move it out of '
                f'PairedTransform.')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.transforms}, '
                f'ref_keys={self.ref_keys}, '
                f"label_size_policy='{self.label_size_policy}')")
