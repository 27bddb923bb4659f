"""Load the defect-free reference image of a paired sample."""
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine import fileio
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadRefImageFromFile(LoadImageFromFile):
    """Read ``results['ref_path']`` into ``results['ref_img']``.

    Takes the same options as mmcv's ``LoadImageFromFile`` (``to_float32``,
    ``color_type``, ``imdecode_backend``, ``backend_args``), so inspected and
    reference images are decoded identically.  Place it after
    ``LoadImageFromFile``.

    Args:
        size_policy (str): what to do when the reference's height/width differ
            from the inspected image's: ``'error'`` (default) raises, naming
            both files; ``'resize'`` resizes the reference to the inspected
            image's size with bilinear interpolation.
        Other arguments: see :class:`mmcv.transforms.LoadImageFromFile`.
    """

    SIZE_POLICIES = ('error', 'resize')

    def __init__(self, *args, size_policy: str = 'error', **kwargs):
        super().__init__(*args, **kwargs)
        if size_policy not in self.SIZE_POLICIES:
            raise ValueError(f'LoadRefImageFromFile: size_policy must be one '
                             f'of {self.SIZE_POLICIES}, got {size_policy!r}')
        self.size_policy = size_policy

    def transform(self, results: dict) -> Optional[dict]:
        """Load the reference and check it against the inspected image."""
        ref_path = results.get('ref_path')
        if ref_path is None:
            raise KeyError(
                f'LoadRefImageFromFile: sample {results.get("img_path")!r} '
                f'has no "ref_path"; use a paired dataset such as '
                f'BasePairedDataset.')
        try:
            img_bytes = fileio.get(ref_path, backend_args=self.backend_args)
        except FileNotFoundError as err:
            if self.ignore_empty:
                return None
            raise FileNotFoundError(
                f'reference image not found: {ref_path} (reference of '
                f'{results.get("img_path")})') from err
        if not img_bytes:
            if self.ignore_empty:
                return None
            raise OSError(f'reference image {ref_path} is an empty file (0 '
                          f'bytes) (reference of {results.get("img_path")})')
        ref = mmcv.imfrombytes(
            img_bytes, flag=self.color_type, backend=self.imdecode_backend)
        if ref is None:
            if self.ignore_empty:
                return None
            raise OSError(f'cannot decode reference image {ref_path}: the '
                          f'file is empty, truncated or not an image')
        return self._fit_reference(
            ref, results, f'reference {ref_path}',
            f'the inspected image {results.get("img_path")}')

    def _fit_reference(self, ref: np.ndarray, results: dict, ref_name: str,
                       img_name: str) -> dict:
        """Check ``ref`` against the inspected image (``size_policy``),
        apply ``to_float32`` and store it as ``results['ref_img']``; the
        names describe both images in the error."""
        img = results.get('img')
        if img is not None and ref.shape[:2] != img.shape[:2]:
            if self.size_policy == 'error':
                raise ValueError(
                    f'{ref_name} is {ref.shape[1]}x{ref.shape[0]} (WxH) but '
                    f'{img_name} is {img.shape[1]}x{img.shape[0]}; align '
                    f'them or set size_policy="resize" in '
                    f'LoadRefImageFromFile')
            ref = mmcv.imresize(ref, (img.shape[1], img.shape[0]))
        if self.to_float32:
            ref = ref.astype(np.float32)
        results['ref_img'] = ref
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(to_float32={self.to_float32}, '
                f"color_type='{self.color_type}', "
                f"imdecode_backend='{self.imdecode_backend}', "
                f"size_policy='{self.size_policy}', "
                f'backend_args={self.backend_args})')
