"""Pack an image pair and its label into a 6-channel input + SegDataSample."""
import numpy as np
import torch
from mmcv.transforms import to_tensor
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

from .label_size import check_label_size, check_label_size_policy


@TRANSFORMS.register_module()
class PackPairedSegInputs(PackSegInputs):
    """Pack ``img`` and ``ref_img`` as one ``(2C, H, W)`` tensor.

    Channels ``0..C-1`` hold the inspected image and ``C..2C-1`` the
    reference; the data sample is mmseg's ``SegDataSample`` with
    ``gt_sem_seg`` and ``ref_path`` in its metainfo.

    When the sample carries ``num_classes`` (paired datasets add it), label
    values are checked: anything outside ``[0, num_classes)`` other than
    ``ignore_index`` raises an error naming the label file and the values.

    A label whose size is neither the image's current nor its original
    size (a label file of another size than its image, in a pipeline
    without :class:`PairedTransform`) raises an error naming both files, or
    is resized with ``label_size_policy='resize'``.

    Args:
        meta_keys (Sequence[str]): metainfo keys; mmseg's defaults plus
            ``ref_path`` (absent keys are skipped).  A data set's own keys
            are added by its pipeline, e.g. ``gt_boxes`` for
            :class:`~mmdefect.datasets.DeepPCBDataset` in
            ``configs/_base_/datasets/deeppcb.py``.
        label_size_policy (str): ``'error'`` (default) or ``'resize'``; see
            :func:`~mmdefect.datasets.transforms.label_size.check_label_size`.
    """

    def __init__(self,
                 meta_keys=('img_path', 'ref_path', 'seg_map_path',
                            'ori_shape', 'img_shape', 'pad_shape',
                            'scale_factor', 'flip', 'flip_direction',
                            'reduce_zero_label'),
                 label_size_policy: str = 'error'):
        super().__init__(meta_keys=meta_keys)
        self.label_size_policy = check_label_size_policy(
            label_size_policy, 'PackPairedSegInputs')

    def transform(self, results: dict) -> dict:
        """Pack the pair; see the class docstring."""
        if 'ref_img' not in results:
            raise KeyError(f'PackPairedSegInputs: sample '
                           f'{results.get("img_path")!r} has no "ref_img"; '
                           f'add LoadRefImageFromFile to the pipeline.')
        img, ref = results['img'], results['ref_img']
        if img.shape != ref.shape:
            raise ValueError(
                f'PackPairedSegInputs: inspected image '
                f'{results.get("img_path")} has shape {img.shape} but its '
                f'reference {results.get("ref_path")} has {ref.shape} after '
                f'the pipeline; wrap geometric transforms in PairedTransform.')
        results = check_label_size(results, self.label_size_policy,
                                   'PackPairedSegInputs')
        if 'gt_seg_map' in results and 'num_classes' in results:
            self._check_labels(results)
        packed = super().transform(results)
        if ref.ndim < 3:
            ref = ref[..., None]
        ref = to_tensor(np.ascontiguousarray(ref.transpose(2, 0, 1)))
        packed['inputs'] = torch.cat([packed['inputs'], ref], dim=0)
        return packed

    @staticmethod
    def _check_labels(results: dict) -> None:
        seg = results['gt_seg_map']
        num_classes = results['num_classes']
        ignore = results.get('ignore_index', 255)
        values = np.unique(seg)
        bad = values[((values < 0) | (values >= num_classes))
                     & (values != ignore)]
        if bad.size:
            raise ValueError(
                f'label {results.get("seg_map_path")} has values '
                f'{bad.tolist()} outside 0..{num_classes - 1} '
                f'(ignore_index={ignore})')
