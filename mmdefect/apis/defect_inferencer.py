"""Inference on (inspected, reference) image pairs, in mmseg's inferencer
style."""
import copy
import math
import os
import os.path as osp
import sys
import warnings
from typing import (Any, Callable, Dict, Iterator, List, Optional, Sequence,
                    Tuple, Union)

import mmcv
import mmengine
import numpy as np
import torch
import torch.nn as nn
from mmcv.transforms import Compose
from mmengine.config import Config, ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.infer.infer import BaseInferencer
from mmengine.logging import print_log
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.runner.checkpoint import (CheckpointLoader,
                                        _load_checkpoint_to_model)
from mmseg.registry import DATASETS, MODELS, VISUALIZERS
from mmseg.structures import SegDataSample
from mmseg.utils import ConfigType

from mmdefect.datasets.transforms import LoadRefImageFromNDArray  # noqa: F401
from mmdefect.visualization import PairedSegLocalVisualizer

PathOrArray = Union[str, os.PathLike, np.ndarray]
PairType = Tuple[PathOrArray, PathOrArray]
InputsType = Union[PairType, Sequence[PairType]]

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')
ANNOTATION_LOADERS = ('LoadAnnotations', 'LoadDepthAnnotation',
                      'LoadOneDLAnnotations')


class DefectInferencer(BaseInferencer):
    """Defect segmentation of image pairs (inspected image + defect-free
    reference), in the style of mmseg's ``MMSegInferencer``.

    The model is built from a config and a checkpoint; the checkpoint is
    read through mmengine's ``CheckpointLoader``, i.e. mmdefect's safe
    loader. Inputs go through the config's ``test_dataloader`` pipeline
    without annotation loading, with ``LoadImageFromFile`` replaced by mmseg's
    ``InferencerLoader`` and ``LoadRefImageFromFile`` by
    ``LoadRefImageFromNDArray``, so paths and in-memory BGR arrays take the
    same route; samples are batched and run through the model's
    ``test_step``.

    Accepted inputs of :meth:`__call__`:

    - one pair ``(inspected, reference)`` of paths or ``HxWx3`` BGR arrays;
    - a list of such pairs;
    - a pair of folders ``(inspected_dir, reference_dir)``: every image under
      the first folder (recursively) is paired with the file at the same
      relative path under the second, or else with the one image there that
      has the same relative folder and file stem (e.g. ``a.png`` with
      ``a.jpg``).

    A pair that cannot be processed (missing or unreadable file, no match in
    the reference folder, inspected and reference of different sizes, ...)
    gets an entry in ``errors`` and ``None`` in the per-pair lists; the other
    pairs are unaffected.

    **Threshold.** A pixel is a defect when its defect score is
    ``>= threshold`` and an image when its image score (the maximum of its
    score map) is. The threshold is the ``threshold`` argument if given,
    else the checkpoint's ``meta['defect_threshold']`` (written by
    ``tools/analysis_tools/calibrate_threshold.py``), else 0.5.

    Example::

        inferencer = DefectInferencer('configs/cadnet/cadnet_synlcd.py',
                                      'work_dirs/cadnet/iter_80000.pth')
        result = inferencer(('inspected/', 'reference/'), batch_size=4,
                            out_dir='outputs')
        for (img, _), flag in zip(result['pairs'], result['is_defective']):
            print(img, flag)
        for error in result['errors']:
            print(error['pair'], error['message'])

    Args:
        model (str | Config | ConfigDict | dict, optional): Config file or
            config. ``None`` takes the config stored in the checkpoint.
        weights (str, optional): Checkpoint path or URL. Without it the model
            keeps its random initialisation (with a warning).
        device (str): Device to run on. Defaults to ``'cpu'``.
        threshold (float, optional): Decision threshold on defect scores;
            see above.
        scope (str): Registry scope. Defaults to ``'mmseg'``.
        show_progress (bool): Default of :meth:`__call__`'s
            ``show_progress``. Defaults to True.
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = set()
    visualize_kwargs: set = {'return_vis', 'img_out_dir'}
    postprocess_kwargs: set = set()

    DEFAULT_THRESHOLD = 0.5

    def __init__(self,
                 model: Union[str, Config, ConfigDict, dict, None],
                 weights: Optional[str] = None,
                 device: str = 'cpu',
                 threshold: Optional[float] = None,
                 scope: str = 'mmseg',
                 show_progress: bool = True) -> None:
        self.checkpoint_meta: Dict[str, Any] = {}
        init_default_scope(scope)
        super().__init__(
            model=model,
            weights=weights,
            device=device,
            scope=scope,
            show_progress=show_progress)
        if device == 'cpu' or not torch.cuda.is_available():
            self.model = revert_sync_batchnorm(self.model)
        self.threshold, self.threshold_source = self._resolve_threshold(
            threshold)
        self.visualizer.set_dataset_meta(**self.model.dataset_meta)

    # ------------------------------------------------------------------
    # construction
    # ------------------------------------------------------------------
    def _init_model(self, cfg: ConfigType, weights: Optional[str],
                    device: str = 'cpu') -> nn.Module:
        """Build the model and load ``weights`` with ``CheckpointLoader``."""
        checkpoint = None
        if weights is not None:
            checkpoint = CheckpointLoader.load_checkpoint(
                weights, map_location='cpu')
        if not cfg:
            if checkpoint is None or 'cfg' not in checkpoint.get('meta', {}):
                raise ValueError(
                    'DefectInferencer: no config given and the checkpoint '
                    f'{weights} does not store one in meta["cfg"]; pass the '
                    'config file')
            cfg.update(
                Config.fromstring(checkpoint['meta']['cfg'],
                                  file_format='.py')._cfg_dict)
        if cfg.model.get('pretrained') is not None:
            cfg.model.pretrained = None
        cfg.model.train_cfg = None
        model = MODELS.build(cfg.model)
        model.cfg = cfg
        self._load_weights_to_model(model, checkpoint, cfg)
        model.to(device)
        model.eval()
        return model

    def _load_weights_to_model(self, model: nn.Module,
                               checkpoint: Optional[dict],
                               cfg: Optional[ConfigType]) -> None:
        """Load the weights and keep the checkpoint's ``meta``.

        Class names and palette come from the checkpoint's
        ``meta['dataset_meta']``, else from the config's test dataset
        (its ``metainfo``, or its class's ``METAINFO``), else are numbered.
        """
        dataset_meta = None
        if checkpoint is not None:
            _load_checkpoint_to_model(model, checkpoint)
            self.checkpoint_meta = dict(checkpoint.get('meta') or {})
            dataset_meta = self.checkpoint_meta.get('dataset_meta')
        else:
            warnings.warn('DefectInferencer: no checkpoint given, the model '
                          'keeps its random initialisation')
        if not dataset_meta or not dataset_meta.get('classes'):
            dataset_meta = _config_dataset_meta(cfg)
        classes = dataset_meta.get('classes')
        if not classes:
            num = int(getattr(model.decode_head, 'num_classes', 2))
            classes = tuple(f'class_{i}' for i in range(num))
        palette = dataset_meta.get('palette')
        if not palette or len(palette) != len(classes):
            rng = np.random.RandomState(42)
            palette = [[0, 0, 0]] + rng.randint(
                0, 256, size=(len(classes) - 1, 3)).tolist()
        model.dataset_meta = dict(
            classes=tuple(classes), palette=[list(c) for c in palette])

    def _init_pipeline(self, cfg: ConfigType) -> Compose:
        """The config's test pipeline made to accept paths or arrays."""
        try:
            pipeline_cfg = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
        except AttributeError:
            raise ValueError('DefectInferencer: the config has no '
                             'test_dataloader.dataset.pipeline') from None
        names = [str(t['type']).split('.')[-1] for t in pipeline_cfg]
        pipeline_cfg = [
            t for t, name in zip(pipeline_cfg, names)
            if name not in ANNOTATION_LOADERS
        ]
        names = [n for n in names if n not in ANNOTATION_LOADERS]
        for old, new in (('LoadImageFromFile', 'InferencerLoader'),
                         ('LoadRefImageFromFile', 'LoadRefImageFromNDArray')):
            if old not in names:
                raise ValueError(
                    f'DefectInferencer: {old} is not in the config\'s test '
                    f'pipeline {names}; a paired pipeline loads the '
                    f'inspected image with LoadImageFromFile and the '
                    f'reference with LoadRefImageFromFile')
            pipeline_cfg[names.index(old)]['type'] = new
        return Compose(pipeline_cfg)

    def _init_collate(self, cfg: ConfigType) -> Callable:
        """The test dataloader's ``collate_fn``, else ``pseudo_collate``."""
        collate_cfg = cfg.get('test_dataloader', {}).get('collate_fn')
        if not collate_cfg:
            return pseudo_collate
        return super()._init_collate(cfg)

    def _init_visualizer(self, cfg: ConfigType) -> PairedSegLocalVisualizer:
        """A :class:`PairedSegLocalVisualizer` (``alpha`` from the config)."""
        vis_cfg = dict(type='PairedSegLocalVisualizer')
        if cfg.get('visualizer'):
            for key in ('alpha', 'draw_heatmap'):
                if key in cfg.visualizer:
                    vis_cfg[key] = cfg.visualizer[key]
        vis_cfg['name'] = f'defect_inferencer_{id(self)}_{os.getpid()}'
        return VISUALIZERS.build(vis_cfg)

    def _resolve_threshold(self,
                           threshold: Optional[float]) -> Tuple[float, str]:
        if threshold is not None:
            value, source = threshold, 'argument'
        elif self.checkpoint_meta.get('defect_threshold') is not None:
            value, source = self.checkpoint_meta['defect_threshold'], \
                'checkpoint'
        else:
            value, source = self.DEFAULT_THRESHOLD, 'default'
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = float('nan')
        if not math.isfinite(value):
            given = (threshold if source == 'argument' else
                     self.checkpoint_meta.get('defect_threshold'))
            where = ('the threshold argument' if source == 'argument' else
                     'the checkpoint\'s meta["defect_threshold"]')
            raise ValueError(f'DefectInferencer: {where} must be a finite '
                             f'number, got {given!r}')
        return value, source

    # ------------------------------------------------------------------
    # inference
    # ------------------------------------------------------------------
    def __call__(self,
                 inputs: InputsType,
                 batch_size: int = 1,
                 out_dir: Optional[str] = None,
                 show_progress: Optional[bool] = None,
                 return_vis: bool = False) -> dict:
        """Segment defects in image pairs.

        Args:
            inputs: One pair, a list of pairs or a pair of folders (see the
                class docstring). Arrays are ``HxWx3`` BGR images.
            batch_size (int): Pairs per forward pass. Pairs of different
                sizes never share a batch. Defaults to 1.
            out_dir (str, optional): If given, write the panels of
                :class:`PairedSegLocalVisualizer` to ``out_dir/vis`` and the
                predicted class masks (uint8 PNG) to ``out_dir/pred``, named
                after the inspected image (relative path in folder mode).
            show_progress (bool, optional): Show a progress bar (on stderr)
                when there is more than one pair. Defaults to the
                constructor's ``show_progress``.
            return_vis (bool): Also return the panels (RGB arrays).

        Returns:
            dict: Lists aligned with ``pairs``; failed pairs hold ``None``.

            - ``pairs``: ``(inspected, reference)`` names (paths, or
              ``'<array HxWxC>'``).
            - ``masks``: ``HxW`` int arrays, the model's class prediction
              (its argmax, not thresholded; see ``defect_masks``).
            - ``scores``: ``HxW`` float32 defect-score maps (the model's
              ``anomaly_map`` if it has one, else
              ``1 - softmax(logits)[background]``).
            - ``defect_masks``: ``HxW`` bool arrays, ``score >= threshold``.
            - ``image_scores``: the maximum of each score map.
            - ``is_defective``: ``image_score >= threshold``.
            - ``visualization``: the panels (only with ``return_vis``).
            - ``errors``: ``[{'index', 'pair', 'message'}]``, one per failed
              pair; a pair whose outputs could not be written to
              ``out_dir`` keeps its results and also gets an entry.
            - ``threshold`` / ``threshold_source``: the threshold used and
              where it came from (``'argument'``, ``'checkpoint'``,
              ``'default'``).
        """
        if int(batch_size) < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        pairs = self._inputs_to_list(inputs)
        num = len(pairs)
        results: Dict[str, Any] = dict(
            pairs=[p['names'] for p in pairs],
            masks=[None] * num,
            scores=[None] * num,
            defect_masks=[None] * num,
            image_scores=[None] * num,
            is_defective=[None] * num,
            errors=[],
            threshold=self.threshold,
            threshold_source=self.threshold_source)
        if return_vis:
            results['visualization'] = [None] * num
        img_out_dir = osp.join(out_dir, 'vis') if out_dir else ''
        pred_out_dir = osp.join(out_dir, 'pred') if out_dir else ''
        if show_progress is None:
            show_progress = self.show_progress
        progress = (
            mmengine.ProgressBar(num, file=sys.stderr)
            if show_progress and num > 1 else None)
        for index, pred in self._predict(pairs, int(batch_size), results):
            if pred is not None:
                self._store(index, pairs[index], pred, results, return_vis,
                            img_out_dir, pred_out_dir)
            if progress is not None:
                progress.update()
        if progress is not None:
            sys.stderr.write('\n')
        return results

    def _predict(self, pairs: List[dict], batch_size: int,
                 results: dict) -> Iterator[Tuple[int, Optional[Any]]]:
        """Yield ``(index, prediction or None)`` for every pair.

        Pairs are run through the pipeline one at a time and collected into
        batches of equal input shape; a batch that fails is retried pair by
        pair so that only the offending pair is reported.
        """
        buckets: Dict[tuple, List[Tuple[int, dict]]] = {}
        for index, pair in enumerate(pairs):
            data = None
            if pair['error'] is None:
                try:
                    data = self.pipeline(self._pipeline_input(pair))
                    if data is None:
                        raise RuntimeError('the test pipeline dropped the '
                                           'sample')
                except Exception as err:  # one bad pair must not stop others
                    pair['error'] = _describe(err)
            if pair['error'] is not None:
                self._add_error(results, index, pair)
                yield index, None
                continue
            key = tuple(data['inputs'].shape)
            bucket = buckets.setdefault(key, [])
            bucket.append((index, data))
            if len(bucket) == batch_size:
                del buckets[key]
                yield from self._run_batch(bucket, pairs, results)
        for bucket in buckets.values():
            yield from self._run_batch(bucket, pairs, results)

    def _run_batch(self, batch: List[Tuple[int, dict]], pairs: List[dict],
                   results: dict) -> Iterator[Tuple[int, Optional[Any]]]:
        try:
            preds = self.forward(self.collate_fn([d for _, d in batch]))
        except Exception as err:  # retry alone, then report the pair
            if len(batch) > 1:
                for item in batch:
                    yield from self._run_batch([item], pairs, results)
                return
            index = batch[0][0]
            pairs[index]['error'] = f'model failed: {_describe(err)}'
            self._add_error(results, index, pairs[index])
            yield index, None
            return
        for (index, _), pred in zip(batch, preds):
            yield index, pred

    @staticmethod
    def _add_error(results: dict, index: int, pair: dict) -> None:
        results['errors'].append(
            dict(index=index, pair=pair['names'], message=pair['error']))

    def _store(self, index: int, pair: dict, pred: SegDataSample,
               results: dict, return_vis: bool, img_out_dir: str,
               pred_out_dir: str) -> None:
        """Turn one prediction into the result entries (and files)."""
        try:
            out = self.postprocess([pred], None)
        except ValueError as err:
            pair['error'] = str(err)
            self._add_error(results, index, pair)
            return
        for key in ('masks', 'scores', 'defect_masks', 'image_scores',
                    'is_defective'):
            results[key][index] = out[key][0]
        try:
            if pred_out_dir:
                mmcv.imwrite(
                    out['masks'][0].astype(np.uint8),
                    osp.join(pred_out_dir, pair['out_name'] + '.png'))
            vis = self.visualize([pair], [pred],
                                 return_vis=return_vis,
                                 img_out_dir=img_out_dir)
        except Exception as err:  # the prediction itself is kept
            pair['error'] = f'could not write the outputs: {_describe(err)}'
            self._add_error(results, index, pair)
            return
        if return_vis and vis:
            results['visualization'][index] = vis[0]

    def visualize(self,
                  inputs: List[dict],
                  preds: List[SegDataSample],
                  return_vis: bool = False,
                  img_out_dir: str = '') -> Optional[List[np.ndarray]]:
        """Draw ``inspected | reference | prediction | heat map`` panels.

        Args:
            inputs (list[dict]): Pairs as made by :meth:`_inputs_to_list`.
            preds (list[SegDataSample]): Their predictions.
            return_vis (bool): Return the panels.
            img_out_dir (str): Folder for the panel PNGs; ``''`` writes none.

        Returns:
            list[np.ndarray] | None: RGB panels if ``return_vis``.
        """
        if not return_vis and not img_out_dir:
            return None
        drawn = []
        for pair, pred in zip(inputs, preds):
            image = _read_rgb(pair['img'])
            ref = pair['ref']
            ref_image = (
                np.ascontiguousarray(ref[..., ::-1])
                if isinstance(ref, np.ndarray) else None)
            out_file = (
                osp.join(img_out_dir, pair['out_name'] + '.png')
                if img_out_dir else None)
            self.visualizer.add_datasample(
                pair['out_name'],
                image,
                pred,
                draw_gt=False,
                draw_pred=True,
                out_file=out_file,
                ref_image=ref_image)
            if return_vis:
                drawn.append(self.visualizer.get_image())
        return drawn if return_vis else None

    def postprocess(self,
                    preds: List[SegDataSample],
                    visualization: Optional[List[np.ndarray]] = None,
                    return_datasample: bool = False) -> dict:
        """Masks, score maps and decisions of a list of predictions.

        Args:
            preds (list[SegDataSample]): Outputs of ``test_step``.
            visualization (list[np.ndarray], optional): Panels, passed
                through.
            return_datasample (bool): Return the data samples themselves.

        Returns:
            dict: ``masks``, ``scores``, ``defect_masks``, ``image_scores``,
            ``is_defective`` (lists, see :meth:`__call__`) and
            ``visualization``; or ``predictions`` and ``visualization`` with
            ``return_datasample``.

        Raises:
            ValueError: a prediction has neither ``anomaly_map`` nor
                ``seg_logits``.
        """
        if return_datasample:
            return dict(predictions=preds, visualization=visualization)
        scores = []
        for pred in preds:
            score = PairedSegLocalVisualizer.defect_score(pred)
            if score is None:
                raise ValueError('the model output has neither "anomaly_map" '
                                 'nor "seg_logits"; cannot compute defect '
                                 'scores')
            scores.append(np.ascontiguousarray(score, dtype=np.float32))
        image_scores = [float(score.max()) for score in scores]
        return dict(
            masks=[pred.pred_sem_seg.data[0].cpu().numpy() for pred in preds],
            scores=scores,
            defect_masks=[score >= self.threshold for score in scores],
            image_scores=image_scores,
            is_defective=[value >= self.threshold for value in image_scores],
            visualization=visualization)

    def dataset_scores(self,
                       split: str = 'val',
                       show_progress: Optional[bool] = None
                       ) -> Iterator[dict]:
        """Run the model over the config's ``<split>_dataloader``.

        Used by the calibration and plotting tools. Maps are yielded one
        image at a time, so callers decide what to keep.

        Args:
            split (str): ``'val'`` or ``'test'`` (or ``'train'``, with its
                augmentations): the config's dataloader of that name is used
                with its pipeline as is, but with a sequential
                ``DefaultSampler`` so every image is seen exactly once.
            show_progress (bool, optional): Progress bar on stderr; defaults
                to the constructor's ``show_progress``.

        Yields:
            dict: ``img_path``, ``score`` (HxW float32 defect-score map, as
            in :meth:`__call__`) and ``labels`` (HxW int ground truth, or
            ``None`` when the pipeline loads no annotations).
        """
        key = f'{split}_dataloader'
        loader_cfg = self.cfg.get(key)
        if not loader_cfg:
            raise ValueError(f'DefectInferencer: the config has no {key}')
        loader_cfg = copy.deepcopy(loader_cfg)
        loader_cfg['sampler'] = dict(type='DefaultSampler', shuffle=False)
        dataloader = Runner.build_dataloader(loader_cfg)
        if show_progress is None:
            show_progress = self.show_progress
        progress = (
            mmengine.ProgressBar(len(dataloader.dataset), file=sys.stderr)
            if show_progress else None)
        for batch in dataloader:
            preds = self.forward(batch)
            out = self.postprocess(preds)
            for pred, score in zip(preds, out['scores']):
                labels = (
                    pred.gt_sem_seg.data[0].cpu().numpy()
                    if 'gt_sem_seg' in pred else None)
                yield dict(
                    img_path=pred.get('img_path'), score=score, labels=labels)
                if progress is not None:
                    progress.update()
        if progress is not None:
            sys.stderr.write('\n')

    # ------------------------------------------------------------------
    # inputs
    # ------------------------------------------------------------------
    def _inputs_to_list(self, inputs: InputsType) -> List[dict]:
        """Normalise the accepted input forms to a list of pair records."""
        if _is_pair(inputs):
            img, ref = inputs
            img_is_dir = _is_path(img) and osp.isdir(img)
            ref_is_dir = _is_path(ref) and osp.isdir(ref)
            if img_is_dir and ref_is_dir:
                return self._folder_pairs(os.fspath(img), os.fspath(ref))
            if img_is_dir or ref_is_dir:
                raise ValueError(
                    f'DefectInferencer: {img!s} and {ref!s} must both be '
                    f'folders or both be images')
            pairs = [self._make_pair(img, ref)]
        elif isinstance(inputs, (list, tuple)):
            pairs = []
            for index, item in enumerate(inputs):
                if not _is_pair(item):
                    raise TypeError(
                        f'DefectInferencer: input {index} is not an '
                        f'(inspected, reference) pair of paths or arrays: '
                        f'{type(item).__name__}')
                pairs.append(self._make_pair(*item))
        else:
            raise TypeError(
                'DefectInferencer: inputs must be an (inspected, reference) '
                'pair of paths/arrays, a list of such pairs, or a pair of '
                f'folders; got {type(inputs).__name__}')
        self._unique_out_names(pairs)
        return pairs

    def _make_pair(self,
                   img: PathOrArray,
                   ref: PathOrArray,
                   out_name: Optional[str] = None,
                   error: Optional[str] = None) -> dict:
        img = img if isinstance(img, np.ndarray) else os.fspath(img)
        ref = ref if isinstance(ref, np.ndarray) else os.fspath(ref)
        if out_name is None:
            out_name = ('array' if isinstance(img, np.ndarray) else
                        osp.splitext(osp.basename(img))[0])
        channels = int(getattr(self.model, 'in_channels', 3))
        for role, item in (('inspected', img), ('reference', ref)):
            if error is None and isinstance(item, np.ndarray) and (
                    item.ndim != 3 or item.shape[2] != channels):
                error = (f'the {role} array has shape {item.shape}; expected '
                         f'HxWx{channels} (BGR)')
        return dict(
            img=img,
            ref=ref,
            names=(_name(img), _name(ref)),
            out_name=out_name,
            error=error)

    def _folder_pairs(self, img_dir: str, ref_dir: str) -> List[dict]:
        """Pair every image under ``img_dir`` with its reference."""
        img_files = sorted(
            mmengine.scandir(
                img_dir, IMG_EXTENSIONS, recursive=True,
                case_sensitive=False))
        if not img_files:
            raise ValueError(
                f'DefectInferencer: no images ({", ".join(IMG_EXTENSIONS)}) '
                f'found in {img_dir}')
        ref_files = sorted(
            mmengine.scandir(
                ref_dir, IMG_EXTENSIONS, recursive=True,
                case_sensitive=False))
        ref_set = set(ref_files)
        by_stem: Dict[str, List[str]] = {}
        for rel in ref_files:
            by_stem.setdefault(osp.splitext(rel)[0], []).append(rel)
        pairs, used = [], set()
        for rel in img_files:
            stem = osp.splitext(rel)[0]
            img_path = osp.join(img_dir, rel)
            error = None
            if rel in ref_set:
                ref_rel = rel
            elif len(by_stem.get(stem, [])) == 1:
                ref_rel = by_stem[stem][0]
            else:
                ref_rel = rel
                found = by_stem.get(stem, [])
                if found:
                    listed = ', '.join(osp.join(ref_dir, f) for f in found)
                    error = (f'reference of {img_path} is ambiguous: '
                             f'{listed}; keep one of them')
                else:
                    error = (f'no reference for {img_path}: expected '
                             f'{osp.join(ref_dir, rel)} (or '
                             f'{osp.join(ref_dir, stem)} with another image '
                             f'extension)')
            used.add(ref_rel)
            pairs.append(
                self._make_pair(
                    img_path,
                    osp.join(ref_dir, ref_rel),
                    out_name=stem,
                    error=error))
        unused = len(ref_set - used)
        if unused:
            print_log(
                f'DefectInferencer: {unused} image(s) in {ref_dir} have no '
                f'inspected counterpart in {img_dir} and are ignored',
                logger='current')
        return pairs

    @staticmethod
    def _unique_out_names(pairs: List[dict]) -> None:
        """Make output file names unique within one call."""
        seen = set()
        for index, pair in enumerate(pairs):
            name = pair['out_name']
            if name == 'array' or name in seen:
                name = f'{name}_{index:06d}'
            seen.add(name)
            pair['out_name'] = name

    @staticmethod
    def _pipeline_input(pair: dict) -> dict:
        data: Dict[str, Any] = {}
        if isinstance(pair['img'], np.ndarray):
            data['img'] = pair['img']
        else:
            data['img_path'] = pair['img']
        if isinstance(pair['ref'], np.ndarray):
            data['ref_img'] = pair['ref']
        else:
            data['ref_path'] = pair['ref']
        return data


def _config_dataset_meta(cfg: Optional[ConfigType]) -> dict:
    """Class names/palette of the config's test dataset, or ``{}``."""
    dataset_cfg = (cfg or {}).get('test_dataloader', {}).get('dataset', {})
    if dataset_cfg.get('metainfo'):
        return dict(dataset_cfg['metainfo'])
    dataset_type = dataset_cfg.get('type')
    dataset_cls = (
        DATASETS.get(dataset_type)
        if isinstance(dataset_type, str) else dataset_type)
    return dict(getattr(dataset_cls, 'METAINFO', None) or {})


def _is_path(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike))


def _is_pair(obj: Any) -> bool:
    return isinstance(obj, (list, tuple)) and len(obj) == 2 and all(
        _is_path(x) or isinstance(x, np.ndarray) for x in obj)


def _name(item: PathOrArray) -> str:
    if isinstance(item, np.ndarray):
        return f'<array {"x".join(str(s) for s in item.shape)}>'
    return item


def _describe(err: BaseException) -> str:
    text = str(err).strip()
    return f'{type(err).__name__}: {text}' if text else type(err).__name__


def _read_rgb(item: PathOrArray) -> np.ndarray:
    if isinstance(item, np.ndarray):
        return np.ascontiguousarray(item[..., ::-1]).astype(np.uint8)
    return mmcv.imfrombytes(mmengine.fileio.get(item), channel_order='rgb')
