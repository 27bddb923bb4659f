"""Base class of unsupervised (defect-free training) defect datasets."""
import os.path as osp
from typing import Callable, List, Optional

from mmengine import fileio
from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset
from .transforms.load_binary_annotations import read_binary_mask

HOLDOUT_SUBSETS = ('held_out', 'rest')


def check_holdout(holdout: Optional[dict], owner: str) -> Optional[dict]:
    """Validate ``holdout=dict(every=N, subset='held_out'|'rest')``."""
    if holdout is None:
        return None
    if not isinstance(holdout, dict) or set(holdout) - {'every', 'subset'}:
        raise ValueError(f'{owner}: holdout must be a dict with keys '
                         f'"every" and optionally "subset", got {holdout!r}')
    every = holdout.get('every')
    subset = holdout.get('subset', 'rest')
    if not isinstance(every, int) or isinstance(every, bool) or every < 2:
        raise ValueError(f'{owner}: holdout["every"] must be an integer >= '
                         f'2, got {every!r}')
    if subset not in HOLDOUT_SUBSETS:
        raise ValueError(f'{owner}: holdout["subset"] must be one of '
                         f'{HOLDOUT_SUBSETS}, got {subset!r}')
    return dict(every=every, subset=subset)


def select_holdout(items: list, holdout: Optional[dict]) -> list:
    """Every ``every``-th item (indices 0, every, 2 * every, ...) for
    ``subset='held_out'``, all the others for ``'rest'``."""
    if holdout is None:
        return list(items)
    held = holdout['subset'] == 'held_out'
    return [
        item for i, item in enumerate(items)
        if (i % holdout['every'] == 0) == held
    ]


@DATASETS.register_module()
class BaseAnomalyDataset(BasePairedDataset):
    """Defect datasets for anomaly detection: defect-free training images,
    binary masks, self-reference pairs.

    Every sample is its own reference (``ref_mode='self'``: ``ref_path ==
    img_path``), as CAT feeds the same image to its trainable and its frozen
    branch. Classes are ``('normal', 'defect')``: labels are 0 / 1, with 255
    (ignored) only where transforms pad. Masks are binarised with the rule of
    :class:`LoadBinaryAnnotations` (value ``> mask_threshold`` is defect),
    and each data info gets ``is_defective`` (by default: the mask has a
    defect pixel; subclasses may decide by folder).

    Selection, in this order:

    1. ``normal_only`` keeps the defect-free samples (default: on for the
       ``'train'`` split, off otherwise), so training never sees a defect;
    2. ``holdout=dict(every=N, subset='held_out'|'rest')`` splits what is
       left deterministically: ``'held_out'`` keeps samples 0, N, 2N, ...
       of the (sorted) list, ``'rest'`` the others. With ``normal_only``,
       the held-out part is a set of defect-free images the model did not
       train on, for calibrating a normal-data quantile threshold.

    An empty result raises an error naming the source and the filters.
    With ``check_files`` (default) every image and mask must exist when the
    list is built; errors name the missing file.

    Subclasses set ``SPLITS`` (the first is the default split),
    ``IMG_SUFFIX`` and ``SEG_SUFFIX`` (the default ``img_suffix`` and
    ``seg_map_suffix``) and implement :meth:`list_samples`; their
    files are found from ``data_root`` and ``split`` (``data_prefix`` is not
    used), so overriding ``data_root`` alone moves a data set.

    Args:
        split (str, optional): One of ``SPLITS``; defaults to the first.
        normal_only (bool, optional): Keep defect-free samples only.
            Defaults to ``split == 'train'``.
        holdout (dict, optional): See above.
        mask_threshold (int): Mask values above it are defect; must match
            the pipeline's ``LoadBinaryAnnotations(threshold=...)``.
            Defaults to 127.
        Other arguments: see :class:`BasePairedDataset` (``ref_mode`` other
            than ``'self'`` is rejected).
    """

    METAINFO = dict(
        classes=('normal', 'defect'), palette=[[0, 0, 0], [255, 0, 0]])
    SPLITS = ('train', 'test')
    IMG_SUFFIX = '.png'
    SEG_SUFFIX = '.png'

    def __init__(self,
                 split: Optional[str] = None,
                 normal_only: Optional[bool] = None,
                 holdout: Optional[dict] = None,
                 mask_threshold: int = 127,
                 ref_mode: str = 'self',
                 **kwargs):
        name = type(self).__name__
        split = self.SPLITS[0] if split is None else split
        if split not in self.SPLITS:
            raise ValueError(f'{name}: split must be one of {self.SPLITS}, '
                             f'got {split!r}')
        if ref_mode != 'self':
            raise ValueError(f'{name}: samples are their own references '
                             f'(ref_mode="self"), got ref_mode={ref_mode!r}')
        self.split = split
        self.normal_only = (split == 'train') if normal_only is None \
            else bool(normal_only)
        self.holdout = check_holdout(holdout, name)
        self.mask_threshold = int(mask_threshold)
        kwargs.setdefault('img_suffix', self.IMG_SUFFIX)
        kwargs.setdefault('seg_map_suffix', self.SEG_SUFFIX)
        super().__init__(ref_mode='self', **kwargs)

    def list_samples(self) -> List[dict]:
        """All samples of the split as data infos (see :meth:`sample`)."""
        raise NotImplementedError

    def describe_source(self) -> str:
        """Where the samples come from, for error messages."""
        return self._describe_source()

    def sample(self, img_path: str, seg_map_path: str, **extra) -> dict:
        """A data info of a self-reference sample."""
        info = self._info(img_path, self._ref_path('', img_path),
                          seg_map_path)
        info.update(extra)
        return info

    def is_defective(self, info: dict) -> bool:
        """Whether the sample's mask has a defect pixel."""
        mask = read_binary_mask(
            info['seg_map_path'],
            self.mask_threshold,
            image_path=info['img_path'],
            backend_args=self.backend_args)
        return bool(mask.any())

    def _check_exist(self, data_list: List[dict]) -> None:
        for key, what in (('img_path', 'image'), ('seg_map_path', 'mask')):
            missing = [
                info for info in data_list
                if not fileio.exists(info[key], self.backend_args)
            ]
            if missing:
                first = missing[0]
                of = '' if key == 'img_path' else \
                    f' (mask of {first["img_path"]})'
                raise FileNotFoundError(
                    f'{type(self).__name__}: {len(missing)} of '
                    f'{len(data_list)} {what}s are missing, e.g. '
                    f'{first[key]}{of}')

    def load_data_list(self) -> List[dict]:
        """List, check and select the samples (see the class docstring)."""
        name = type(self).__name__
        data_list = self.list_samples()
        if not data_list:
            raise ValueError(f'{name}: no samples found in '
                             f'{self.describe_source()}')
        if self.check_files:
            self._check_exist(data_list)
        for info in data_list:
            if 'is_defective' not in info:
                info['is_defective'] = self.is_defective(info)
        if self.normal_only:
            data_list = [i for i in data_list if not i['is_defective']]
            if not data_list:
                raise ValueError(
                    f'{name}: no defect-free samples in '
                    f'{self.describe_source()} (normal_only=True keeps '
                    f'images whose mask has no value > '
                    f'{self.mask_threshold})')
        selected = select_holdout(data_list, self.holdout)
        if not selected:
            raise ValueError(
                f'{name}: holdout {self.holdout} leaves no samples of the '
                f'{len(data_list)} in {self.describe_source()}')
        return selected

    def folder_samples(self,
                       img_dir: str,
                       seg_dir: str,
                       mask_suffix: str,
                       keep: Optional[Callable[[str], bool]] = None,
                       **extra) -> List[dict]:
        """Samples of the images ``<stem><img_suffix>`` in ``img_dir``
        (sorted by name) whose masks are ``seg_dir/<stem><mask_suffix>``.

        Args:
            keep (callable, optional): ``keep(stem)`` selects the images.
            extra: Added to every data info.
        """
        if not osp.isdir(img_dir):
            raise FileNotFoundError(
                f'{type(self).__name__}: image folder {img_dir!r} not found '
                f'(see the class docstring for the expected layout)')
        cut = len(self.img_suffix)
        stems = sorted(
            name[:-cut] for name in fileio.list_dir_or_file(
                img_dir,
                list_dir=False,
                suffix=self.img_suffix,
                backend_args=self.backend_args))
        return [
            self.sample(
                osp.join(img_dir, stem + self.img_suffix),
                osp.join(seg_dir, stem + mask_suffix), **extra)
            for stem in stems if keep is None or keep(stem)
        ]

    @staticmethod
    def join(*parts: Optional[str]) -> str:
        """``osp.join`` of the non-empty parts (``data_root`` may be None).
        """
        return osp.join('', *[p for p in parts if p])
