"""Load a defect mask as a binary label (0 normal, 1 defect)."""
import mmcv
import numpy as np
from mmengine import fileio
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

from .label_size import check_label_size, check_label_size_policy


def binarise_mask(mask: np.ndarray, threshold: int = 127) -> np.ndarray:
    """``1`` where ``mask > threshold``, else ``0`` (uint8).

    Multi-channel masks (e.g. masks saved as colour JPEG) are reduced to
    their per-pixel maximum first.
    """
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    return (mask > threshold).astype(np.uint8)


def read_binary_mask(path: str,
                     threshold: int = 127,
                     image_path: str = None,
                     backend_args: dict = None,
                     imdecode_backend: str = 'cv2') -> np.ndarray:
    """Read and binarise the mask at ``path``; errors name the file.

    Args:
        path (str): Mask file.
        threshold (int): Values above it are defect.
        image_path (str, optional): The image the mask belongs to, named in
            errors.
        backend_args (dict, optional): mmengine file backend arguments.
        imdecode_backend (str): Backend of :func:`mmcv.imfrombytes`.

    Returns:
        np.ndarray: ``(H, W)`` uint8 label, 0 normal / 1 defect.

    Raises:
        FileNotFoundError: The mask does not exist.
        OSError: It cannot be decoded.
        ValueError: It holds only 0 and 1 while ``threshold >= 1`` (a mask
            saved as 0/1 instead of 0/255, which would read as all normal).
    """
    of = f' (mask of {image_path})' if image_path else ''
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError as err:
        raise FileNotFoundError(f'mask not found: {path}{of}') from err
    mask = mmcv.imfrombytes(data, flag='unchanged', backend=imdecode_backend)
    if mask is None or mask.size == 0:
        raise OSError(f'cannot decode mask {path}{of}: the file is empty, '
                      f'truncated or not an image')
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[..., 0]
    if threshold >= 1 and mask.max() == 1:
        raise ValueError(
            f'mask {path}{of} holds only the values 0 and 1, but values '
            f'> {threshold} are read as defect; for 0/1 masks set '
            f'threshold=0')
    return binarise_mask(mask, threshold)


@TRANSFORMS.register_module()
class LoadBinaryAnnotations(LoadAnnotations):
    """mmseg's ``LoadAnnotations`` for soft or 0/255 defect masks.

    Reads ``results['seg_map_path']`` and writes ``gt_seg_map`` as a binary
    label: 1 (defect) where the mask value is ``> threshold``, 0 (normal)
    elsewhere. Soft-edged masks (MTD) and masks stored as lossy JPEG (RSDD)
    binarise the same way; colour masks use their per-pixel maximum.
    ``255`` never comes from the file; it appears only where later
    transforms pad the label (mmcv's ``Pad`` fills labels with
    ``seg_pad_val=255``, the ignore index).

    The mask must have the image's size (checked by
    :func:`~mmdefect.datasets.transforms.label_size.check_label_size`
    against ``results['img']`` when the image is loaded first, the usual
    order); a mismatch raises an error naming both files and both sizes,
    or is resized with ``label_size_policy='resize'``. A missing
    or unreadable mask raises an error naming it and its image. Only
    ``_load_seg_map`` differs from mmseg's transform; ``label_map`` and
    ``reduce_zero_label`` do not apply to binary masks and are rejected.

    Args:
        threshold (int): Mask values above it are defect. Defaults to 127
            (defect = value > 127, i.e. >= 128).
        imdecode_backend (str): Defaults to ``'cv2'``.
        label_size_policy (str): A mask of another size than its image
            raises an error (``'error'``, default) or is resized to it
            (``'resize'``, nearest neighbour).
        Other arguments: see :class:`mmseg.datasets.transforms.
            LoadAnnotations`.
    """

    def __init__(self,
                 threshold: int = 127,
                 imdecode_backend: str = 'cv2',
                 label_size_policy: str = 'error',
                 **kwargs) -> None:
        if kwargs.get('reduce_zero_label'):
            raise ValueError('LoadBinaryAnnotations: reduce_zero_label does '
                             'not apply to binary masks')
        if not 0 <= threshold < 255:
            raise ValueError(f'LoadBinaryAnnotations: threshold must be in '
                             f'[0, 255), got {threshold}')
        super().__init__(imdecode_backend=imdecode_backend, **kwargs)
        self.threshold = int(threshold)
        self.label_size_policy = check_label_size_policy(
            label_size_policy, 'LoadBinaryAnnotations')

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        image_path = results.get('img_path')
        if results.get('reduce_zero_label') or results.get('label_map'):
            raise ValueError(
                f'LoadBinaryAnnotations: sample {image_path} asks for '
                f'reduce_zero_label/label_map, which do not apply to binary '
                f'masks')
        label = read_binary_mask(
            path,
            self.threshold,
            image_path=image_path,
            backend_args=self.backend_args,
            imdecode_backend=self.imdecode_backend)
        results['gt_seg_map'] = label
        check_label_size(results, self.label_size_policy,
                         'LoadBinaryAnnotations')
        results['seg_fields'].append('gt_seg_map')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(threshold={self.threshold}, '
                f"imdecode_backend='{self.imdecode_backend}', "
                f"label_size_policy='{self.label_size_policy}', "
                f'backend_args={self.backend_args})')
