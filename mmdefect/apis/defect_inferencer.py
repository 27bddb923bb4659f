"""``DefectInferencer``: mmseg's ``MMSegInferencer`` for image pairs."""
import copy
import math
import os.path as osp
from typing import List, Optional

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.infer import BaseInferencer
from mmseg.apis import MMSegInferencer

from mmdefect.engine.checkpoint_match import check_state_dict_matches
from mmdefect.evaluation.model_evaluation import anomaly_metric_options
from mmdefect.evaluation.score_rule import ScoreRule
from mmdefect.evaluation.threshold_record import read_threshold
from mmdefect.visualization import PairedSegLocalVisualizer

from .pair_inputs import (PairInput, describe_failure, fill_result,
                          min_input_side, plan_outputs, to_pair_inputs)
from .pair_result import PairResult
from .reference_cache import ReferenceCache


class DefectInferencer(MMSegInferencer):
    """Defect segmentation of (inspected, defect-free reference) pairs with
    a paired model (``paired_input = True``, e.g. ``SiameseEncoderDecoder``).

    Inputs: a pair of paths or ``uint8 HxWx3`` BGR arrays, a list of pairs,
    or a pair of folders (paired as ``BasePairedDataset`` pairs them). They
    take the config's test pipeline through ``BaseInferencer.__call__``;
    pairs of one size share a batch, a failing batch is re-run pair by pair.
    One :class:`PairResult` per pair comes back, in input order; a failed
    pair has ``error`` naming its file.

    Scores: the :class:`ScoreRule` of the config's ``AnomalyMetric``
    (``test_evaluator``; else the default rule); ``score >= threshold``
    decides pixels and images. The threshold is ``threshold``, else the
    checkpoint's (only if recorded for this rule at ``threshold_level``,
    ``'pixel'`` or ``'image'``; else ``ValueError``), else 0.5. A checkpoint
    of another model is refused unless ``strict_checkpoint=False``. ``out_dir``
    gets panels (``vis/``) and uint8 masks (``pred/``: class map, or the
    defect mask of an anomaly model) named after the inspected images;
    existing ones are refused unless ``overwrite=True`` (``plan_outputs``).

    Example::

        inferencer = DefectInferencer(
            'configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py',
            'work_dirs/cadnet/iter_80000.pth')
        for result in inferencer(('inspected/', 'reference/')):
            print(result.pair[0], result.error or result.is_defective)
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = set()
    visualize_kwargs: set = {'return_vis', 'show', 'wait_time', 'img_out_dir'}
    postprocess_kwargs: set = {'pred_out_dir'}

    def __init__(self, model, weights: Optional[str] = None,
                 device: str = 'cpu', threshold: Optional[float] = None,
                 threshold_level: str = 'pixel', scope: str = 'mmseg',
                 show_progress: bool = True,
                 strict_checkpoint: bool = True) -> None:
        self._checkpoint = (weights, strict_checkpoint)
        super().__init__(model, weights, device=device, scope=scope)
        self.show_progress = show_progress
        self.visualizer.set_dataset_meta(**self.model.dataset_meta)
        opts = anomaly_metric_options(self.cfg, 'test')
        self.score_rule = ScoreRule(opts.get('score_key', 'auto'), **{
            k: opts[k] for k in ('image_score', 'topk') if k in opts})
        stored = None if threshold is not None else read_threshold(
            self.checkpoint_meta, self.score_rule, threshold_level,
            weights or '')[0]
        self.threshold, self.threshold_source = next(
            (float(value), source) for value, source in (
                (threshold, 'argument'), (stored, 'checkpoint'),
                (0.5, 'default')) if value is not None)
        if not math.isfinite(self.threshold):
            raise ValueError(f'the threshold must be finite, got {threshold}')

    def _load_weights_to_model(self, model, checkpoint, cfg) -> None:
        """Weights (refused if they do not fit the model, unless not
        ``strict_checkpoint``); classes from the checkpoint, else the data."""
        if checkpoint is not None:
            check_state_dict_matches(model, checkpoint, *self._checkpoint,
                                     hint='pass strict_checkpoint=False')
        BaseInferencer._load_weights_to_model(self, model, checkpoint, cfg)
        self.checkpoint_meta = dict((checkpoint or {}).get('meta') or {})
        meta = self.checkpoint_meta.get('dataset_meta') or dict(
            cfg.test_dataloader.dataset.get('metainfo') or {})
        classes = meta.get('classes') or [f'class_{i}' for i in range(
            getattr(getattr(model, 'decode_head', None), 'num_classes', 2))]
        palette = meta.get('palette') or [[0, 0, 0]] + np.random.RandomState(
            42).randint(0, 256, (len(classes) - 1, 3)).tolist()
        model.dataset_meta = dict(classes=tuple(classes), palette=palette)

    def _init_pipeline(self, cfg):
        if not getattr(self.model, 'paired_input', False):
            raise ValueError(
                f'DefectInferencer: {type(self.model).__name__} takes single '
                'images (no paired_input); use mmseg.apis.MMSegInferencer')
        cfg = copy.deepcopy(cfg)
        pipeline = cfg.test_dataloader.dataset.pipeline
        idx = self._get_transform_idx(pipeline, 'LoadRefImageFromFile')
        if idx == -1:
            raise ValueError('DefectInferencer: the test pipeline has no '
                             'LoadRefImageFromFile to load the reference')
        pipeline[idx]['type'] = 'LoadRefImageFromNDArray'
        return super()._init_pipeline(cfg)

    def _init_collate(self, cfg):  # pseudo_collate without a registry miss
        return (super()._init_collate(cfg) if cfg.test_dataloader.get(
            'collate_fn') else pseudo_collate)

    def _init_visualizer(self, cfg):
        return PairedSegLocalVisualizer(f'di_{id(self)}')

    def __call__(self, inputs, batch_size: int = 1, out_dir: str = '',
                 overwrite: bool = False, **kwargs) -> List[PairResult]:
        """Inspect pairs; ``kwargs`` as in ``MMSegInferencer.__call__``
        (``return_vis``, ``show``, ``return_datasamples``, ...)."""
        if int(batch_size) < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        records = to_pair_inputs(inputs, getattr(self.model, 'in_channels', 3))
        self._ref_cache = ReferenceCache(self.model, records)
        if out_dir:
            plan_outputs(records, dict(
                vis=osp.join(out_dir, kwargs.get('img_out_dir', 'vis')),
                pred=osp.join(out_dir, kwargs.get('pred_out_dir', 'pred'))),
                         overwrite)
        return super().__call__(records, batch_size=int(batch_size),
                                out_dir=out_dir, **kwargs)

    def preprocess(self, inputs: List[PairInput], batch_size: int = 1):
        """Pairs through the pipeline one by one, then ``(records, data)``
        batches of one shape; ``([record], None)`` for a failed pair."""
        buckets: dict = {}
        for record in inputs:
            try:
                data = record.error or self.pipeline(record.pipeline_input())
                if data is None:
                    raise RuntimeError('the test pipeline dropped the pair')
            except Exception as err:  # one bad pair must not stop others
                record.error = describe_failure(err, record.names)
            if record.error:
                yield [record], None
                continue
            key = tuple(data['inputs'].shape)
            buckets.setdefault(key, []).append((record, data))
            if len(buckets[key]) == batch_size:
                yield tuple(zip(*buckets.pop(key)))
        yield from (tuple(zip(*bucket)) for bucket in buckets.values())

    @torch.no_grad()
    def forward(self, inputs, **kwargs) -> list:
        """``[(record, pred or None)]``; a failing batch re-runs pair-wise."""
        records, data = inputs
        if data is None:
            return [(records[0], None)]
        try:
            return list(
                zip(records, self._predict(self.collate_fn(data), records)))
        except Exception as err:
            if len(records) > 1:
                return [p for r, d in zip(records, data)
                        for p in self.forward(([r], [d]))]
            records[0].error = 'model failed: ' + describe_failure(
                err, records[0].names, data[0]['inputs'].shape[-2:],
                self._min_side)
            return [(records[0], None)]

    def _min_side(self) -> int:
        """The smallest square input the model runs on (tried once)."""
        if getattr(self, '_min_side_found', None) is None:
            self._min_side_found = min_input_side(lambda img: self._predict(
                self.collate_fn([self.pipeline(
                    PairInput(0, img, img, '').pipeline_input())])))
        return self._min_side_found

    def _predict(self, batch: dict, records=()) -> list:
        """The one call of the model; pairs sharing a reference go through
        the call's :class:`ReferenceCache`."""
        cache = getattr(self, '_ref_cache', None)
        preds = cache.predict(batch, records) if cache else None
        return self.model.test_step(batch) if preds is None else preds

    def visualize(self, inputs, preds, return_vis: bool = False,
                  show: bool = False, wait_time: float = 0,
                  img_out_dir: str = '') -> list:
        """``inspected | reference | prediction | heat map`` RGB panels."""
        drawn = []
        for record, pred in preds:
            drawn.append(None)
            out_file = record.out_files.get('vis')
            if pred is None or not (return_vis or show or out_file):
                continue
            try:
                self.visualizer.add_datasample(
                    record.out_name, record.rgb('img'), pred, draw_gt=False,
                    show=show, wait_time=wait_time, out_file=out_file,
                    ref_image=record.rgb('ref', arrays_only=True))
            except Exception as err:  # the prediction itself is kept
                record.error = f'could not write {out_file}: {err}'
                continue
            record.written.update({'vis': out_file} if out_file else {})
            drawn[-1] = self.visualizer.get_image() if return_vis else None
        return drawn

    def postprocess(self, preds, visualization=None,
                    return_datasample: bool = False,
                    pred_out_dir: str = '') -> List[PairResult]:
        """Score, decide and write masks; one PairResult per pair, in order."""
        results = []
        for (record, pred), vis in zip(preds, visualization):
            result = PairResult(record.index, record.names, error=record.error,
                                threshold=self.threshold, visualization=vis,
                                out_files=record.written,
                                reference_cached=record.reference_cached)
            results.append(result)
            if pred is None:
                continue
            result.data_sample = pred if return_datasample else None
            try:
                scores = result.score_map = self.score_rule.pixel_scores(pred)
            except (KeyError, ValueError) as err:
                result.error = f'{record.names[0]}: {err}'
                continue
            labels = None
            if 'anomaly_map' not in pred and 'pred_sem_seg' in pred:
                labels = pred.pred_sem_seg.data[0].cpu().numpy()
            fill_result(result, record, scores, self.score_rule,
                        self.threshold, labels)
        return sorted(results, key=lambda r: r.index)
