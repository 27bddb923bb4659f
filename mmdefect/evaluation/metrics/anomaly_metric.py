"""Streaming anomaly-detection metric (image/pixel AUROC, AUPRO, AP, F1),
threshold calibration and ROC/PR curve data from the same histograms."""
import json
import os.path as osp
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.registry import METRICS

from mmdefect.evaluation.functional.binned_roc import (
    ap_discretisation_bound, auroc_discretisation_bound, auroc_from_counts,
    average_precision_from_counts, counts_from_scores, f1_max_from_counts,
    quantile_index_from_counts)
from mmdefect.evaluation.functional.binning import (float_to_key,
                                                    key_to_float,
                                                    linear_bin_index,
                                                    linear_edges)
from mmdefect.evaluation.functional.pro import (connected_regions, pro_auc,
                                                pro_curve_from_counts,
                                                pro_discretisation_bound)
from mmdefect.evaluation.functional.scores import SCORE_SOURCES, label_masks
from mmdefect.evaluation.score_rule import ScoreRule
from mmdefect.evaluation.threshold_record import (LEVELS, METHODS,
                                                  threshold_info)
from mmdefect.evaluation.thresholds import (f1_optimal_threshold,
                                            f1_threshold_from_counts,
                                            quantile_threshold)

METRIC_KEYS = ('image_AUROC', 'pixel_AUROC', 'PRO', 'AP_det', 'AP_loc',
               'F1_max', 'threshold')


@METRICS.register_module()
class AnomalyMetric(BaseMetric):
    """Image- and pixel-level anomaly metrics, computed in streaming mode.

    Reported keys (all in ``[0, 1]`` except ``threshold``):

    - ``image_AUROC`` / ``AP_det``: ROC area / average precision of the
      image score (max or top-k mean of the map) against the image label
      (1 if the image has any defect pixel).
    - ``pixel_AUROC`` / ``AP_loc``: the same over all non-ignored pixels of
      all images pooled.
    - ``PRO``: normalised area under the per-region-overlap curve up to
      ``fpr_limit`` (MVTec AD definition; regions are OpenCV connected
      components of the binary ground truth of each image).
    - ``F1_max`` / ``threshold``: the best pixel F1 and the threshold
      attaining it (pixels with ``score >= threshold`` are defects).
    - With ``thresholds``: one calibrated threshold per entry, named
      ``{level}_threshold_quantile@{q}`` or ``{level}_threshold_f1`` (see
      below); their full records are in :attr:`calibrated`.

    **Scores.** Pixel and image scores come from the one score layer
    (:class:`~mmdefect.evaluation.ScoreRule` built from ``score_key``,
    ``image_score`` and ``topk``; see
    :mod:`mmdefect.evaluation.functional.scores`), so they are
    bit-identical to those of the visualizer, the inferencer and the
    calibration tool.

    **Calibration** (``thresholds``, a list of dicts with ``method``,
    ``level`` and, for quantiles, ``q``), from the same streaming
    histograms, so the memory stays that of the metric:

    - ``dict(method='quantile', q=0.999, level='pixel')``: the normal-data
      quantile of the pixel scores of the *defect-free images* (no defect
      pixel in their label; ignored pixels excluded), the inverted-CDF rule
      of :mod:`mmdefect.evaluation.thresholds` applied to their merged
      histogram: the lower edge of the bin holding the quantile. Exact
      (equal to ``np.quantile(scores, q, method='inverted_cdf')`` on the
      float32 scores) with ``binning='exact'``; otherwise the exact
      quantile lies in ``[threshold, bin_upper)`` (relative width
      ``2**-mantissa_bits`` for float binning, ``(high - low) / num_bins``
      for linear binning; ``bin_upper`` is in the record).
    - ``level='image'``: the same over the image scores of the defect-free
      images; always exact.
    - ``dict(method='f1', level='pixel' | 'image')``: the F1-optimal
      threshold (the pixel one equals the ``threshold`` key). Without any
      defect pixel (image) it falls back, with a warning, to a value just
      above the highest score (the upper edge of the highest occupied bin;
      for images ``nextafter(max, inf)``), which flags no calibration
      sample; never silently to the minimum.

    A threshold that cannot be computed (a quantile without any defect-free
    image) is NaN with a warning, and its reason is in
    :attr:`calibration_errors`. Records are
    :func:`~mmdefect.evaluation.threshold_record.threshold_info` dicts
    (value, level, method, q, score_rule, num_images, binning, ...), ready
    for a checkpoint's ``meta`` (``tools/analysis_tools/
    calibrate_threshold.py`` writes them).

    **Curves** (``curves_out``): the image scores and labels and the merged
    pixel histogram (keys, lower edges, defect/defect-free counts) are saved
    to that ``.npz`` file after each evaluation - ROC/PR curves with bounded
    memory; ``tools/analysis_tools/plot_curves.py`` plots it. An existing
    file that this metric did not write is never overwritten.

    Definitions follow scikit-learn (``roc_auc_score``,
    ``average_precision_score``: no interpolation) and anomalib (AUPRO).
    Undefined values (e.g. a test set without defects) are NaN and come
    with a warning.

    **Streaming and memory.** ``process`` never keeps maps: it turns every
    pixel score into an integer bin key and stores, per image, the sparse
    histogram of defect-free pixels (key, count) and of defect pixels per
    region (region, key, count), plus the image score and label. These are
    small numpy arrays, so mmengine's ``collect_results`` gathers them
    across ranks, and dropping the sampler's padded duplicates keeps
    working because there is exactly one result per image. The memory per
    image is at most ``min(#pixels, #occupied bins)`` entries of 8 bytes
    for normal pixels and 12 bytes for defect pixels: with float or linear
    binning it is bounded by the number of bins, while ``'exact'`` keeps
    one entry per distinct float32 value and is meant for small sets
    (``tools/benchmarks/anomaly_metric_memory.py`` and
    ``calibration_memory.py`` measure it; the numbers are in the README).
    ``compute_metrics`` merges the histograms ``merge_chunk`` images at a
    time and then pairwise, so in the binned modes the merge needs little
    memory beyond the collected results.

    **Binning and its error.** Keys are monotone in the score and every key
    has a lower edge ``e`` with ``score >= e`` exactly when the key is
    ``>= key(e)``; every point of the binned ROC, PR and PRO curves is
    therefore an exact point of the true curves at threshold ``e``, and
    ``threshold``/``F1_max`` are exact for the reported threshold. Only
    pixels sharing a bin are tied, which moves the ROC/PRO areas by at
    most half of the boxes between consecutive curve points (for AP see
    :func:`ap_discretisation_bound`); these bounds are computed
    from the histograms, logged and kept in ``discretisation_bounds`` (on
    the rank that computes the metrics). Image-level metrics are always
    exact. Agreement with scikit-learn to 1e-6 is therefore guaranteed
    only in ``'exact'`` mode (or when the scores already lie on the bin
    grid); otherwise the error stays within the logged bounds, which
    shrink with the number of pixels sharing a bin.

    - ``'float'`` (default): range-free binning of the float32 bit pattern
      keeping ``mantissa_bits`` mantissa bits (relative resolution
      ``2**-mantissa_bits``, any sign and magnitude). The key of a score
      depends on nothing else, so results merge exactly across batches and
      ranks - unlike per-batch min/max ranges, which would need re-binning
      (and so lose resolution) at every merge. Recommended when maps are
      not normalised.
    - ``'linear'``: ``num_bins`` equal bins over ``score_range``; scores
      outside are clipped into the end bins (counted, with a warning;
      clipped scores then share the edges of those bins). Natural for
      probabilities in ``[0, 1]``.
    - ``'exact'``: float binning with all 23 mantissa bits, i.e. one bin
      per distinct float32 value: the pixel metrics equal scikit-learn's
      on the float32 scores (maps are cast to float32, as model outputs
      are); memory grows with the number of distinct values.

    Args:
        score_key (str): Which pixel scores to evaluate (the
            :class:`~mmdefect.evaluation.ScoreRule` ``source``):
            ``'anomaly_map'`` (the map of an anomaly model, (1, H, W) or
            (H, W)), ``'seg_logits'`` ((C, H, W) logits turned into the
            defect probability ``1 - p(background)``, computed in log space
            in float32; a sigmoid if C == 1) or ``'auto'`` (``anomaly_map``
            when present). Defaults to ``'anomaly_map'``.
        image_score (str): ``'max'`` or ``'topk_mean'``. Computed over the
            whole map (ignored pixels included: the image score must not
            depend on the labels). Defaults to ``'max'``.
        topk (int | float): For ``'topk_mean'``: number of pixels (int) or
            fraction of the pixels (float in (0, 1]). Defaults to 100.
        binning (str): ``'float'``, ``'linear'`` or ``'exact'``.
        mantissa_bits (int): Mantissa bits of ``'float'`` binning, 0..23.
            Defaults to 10.
        num_bins (int): Bins of ``'linear'`` binning. Defaults to 1000.
        score_range (Sequence[float]): ``(low, high)`` of ``'linear'``
            binning. Defaults to ``(0, 1)``.
        fpr_limit (float): Integration limit of PRO. Defaults to 0.3.
        connectivity (int): Connectivity of the regions, 4 or 8. Defaults
            to 8 (as the MVTec AD evaluation code).
        ignore_index (int): Label excluded from every pixel metric.
            Defaults to 255.
        thresholds (Sequence[dict], optional): Thresholds to calibrate,
            e.g. ``[dict(method='quantile', q=0.999, level='pixel'),
            dict(method='f1', level='image')]`` (``level`` defaults to
            ``'pixel'``, ``q`` to 0.999).
        curves_out (str, optional): ``.npz`` file for the curve data.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    merge_chunk = 64  # images whose histograms are merged at once

    def __init__(self,
                 score_key: str = 'anomaly_map',
                 image_score: str = 'max',
                 topk: Union[int, float] = 100,
                 binning: str = 'float',
                 mantissa_bits: int = 10,
                 num_bins: int = 1000,
                 score_range: Sequence[float] = (0.0, 1.0),
                 fpr_limit: float = 0.3,
                 connectivity: int = 8,
                 ignore_index: int = 255,
                 thresholds: Optional[Sequence[Mapping]] = None,
                 curves_out: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(
            collect_device=collect_device, prefix=prefix, **kwargs)
        if score_key not in SCORE_SOURCES:
            raise ValueError(
                f'AnomalyMetric: score_key must be one of {SCORE_SOURCES} '
                f'(the score source), got {score_key!r}')
        self.score_rule = ScoreRule(score_key, image_score, topk)
        if binning not in ('float', 'linear', 'exact'):
            raise ValueError("binning must be 'float', 'linear' or 'exact', "
                             f'got {binning!r}')
        if not 0.0 < fpr_limit <= 1.0:
            raise ValueError(f'fpr_limit must be in (0, 1], got {fpr_limit}')
        if connectivity not in (4, 8):
            raise ValueError(
                f'connectivity must be 4 or 8, got {connectivity}')
        self.binning = binning
        self.mantissa_bits = 23 if binning == 'exact' else int(mantissa_bits)
        if not 0 <= self.mantissa_bits <= 23:
            raise ValueError(
                f'mantissa_bits must be in [0, 23], got {mantissa_bits}')
        self.edges = (
            linear_edges(score_range, num_bins)
            if binning == 'linear' else None)
        self.fpr_limit = float(fpr_limit)
        self.connectivity = connectivity
        self.ignore_index = ignore_index
        self.threshold_specs = _threshold_specs(thresholds or [])
        if curves_out is not None and osp.exists(curves_out):
            raise FileExistsError(
                f'AnomalyMetric: curves_out {curves_out} already exists; '
                'remove it or choose another file (it is never overwritten)')
        self.curves_out = curves_out
        self._curves_written = False
        self.discretisation_bounds: Dict[str, float] = {}
        self.calibrated: Dict[str, dict] = {}
        self.calibration_errors: Dict[str, str] = {}

    @property
    def score_key(self) -> str:
        return self.score_rule.source

    @property
    def image_score(self) -> str:
        return self.score_rule.image_score

    @property
    def topk(self) -> Union[int, float]:
        return self.score_rule.topk

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Turn each sample into small histograms; keep no maps.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Outputs of the model, each with
                ``gt_sem_seg`` and the scores of ``score_key``.
        """
        for data_sample in data_samples:
            if hasattr(data_sample, 'to_dict'):
                data_sample = data_sample.to_dict()
            self.results.append(self._process_sample(data_sample))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Merge the per-image histograms of all ranks and summarise them.

        Args:
            results (list[dict]): Results of ``process`` from all ranks.

        Returns:
            dict[str, float]: The keys listed in the class docstring.
        """
        self.calibrated, self.calibration_errors = {}, {}
        if len(results) == 0:
            warnings.warn('AnomalyMetric got no results; all metrics are NaN')
            return {
                key: float('nan')
                for key in METRIC_KEYS + tuple(self.threshold_specs)
            }
        metrics: Dict[str, float] = {}
        metrics.update(self._image_metrics(results))
        merged = self._merge_all(results)
        pixel_metrics, self.discretisation_bounds = self._pixel_metrics(
            merged, sum(int(r['num_regions']) for r in results))
        metrics.update(pixel_metrics)
        clipped = sum(int(r['clipped']) for r in results)
        if clipped:
            total = sum(int(r['num_pixels']) for r in results)
            low, high = self.edges[0], self.edges[-1]
            warnings.warn(
                f'AnomalyMetric: {clipped} of {total} pixel scores lie '
                f'outside score_range=({low}, {high}) and were clipped into '
                'the end bins; widen score_range or use binning="float"')
        if self.binning != 'exact':
            print_log(
                'AnomalyMetric worst-case binning error: ' + ', '.join(
                    f'{key} +-{value:.2e}'
                    for key, value in self.discretisation_bounds.items()),
                logger='current')
        out = {key: metrics[key] for key in METRIC_KEYS}
        for key, spec in self.threshold_specs.items():
            out[key] = self._calibrate(key, spec, results, merged)
        if self.curves_out is not None:
            self._save_curves(results, merged)
        return out

    def _process_sample(self, data_sample: Mapping) -> dict:
        scores = self.score_rule.pixel_scores(data_sample)
        if 'gt_sem_seg' not in data_sample:
            raise KeyError(
                "AnomalyMetric: data sample has no 'gt_sem_seg' (labels); "
                f'available keys: {sorted(data_sample.keys())}. Ground '
                'truth is required.')
        labels = data_sample['gt_sem_seg']
        valid, defect = label_masks(
            labels['data'] if isinstance(labels, Mapping) else labels,
            self.ignore_index)
        if scores.shape != valid.shape:
            raise ValueError(
                f'AnomalyMetric: shape mismatch between {self.score_key!r} '
                f'scores {scores.shape} and gt_sem_seg {valid.shape}; '
                'resize the map to the ground-truth size before evaluation')
        keys, clipped = self._keys(scores[valid])
        is_defect = defect[valid]
        neg_keys, neg_counts = np.unique(keys[~is_defect], return_counts=True)

        num_regions, regions = connected_regions(defect, self.connectivity)
        region_ids = regions[valid][is_defect].astype(np.int64)
        packed, pos_counts = np.unique(
            (region_ids << 32) | keys[is_defect], return_counts=True)
        return dict(
            neg_keys=neg_keys.astype(np.uint32),
            neg_counts=neg_counts.astype(np.uint32),
            pos_regions=(packed >> 32).astype(np.uint32),
            pos_keys=(packed & 0xFFFFFFFF).astype(np.uint32),
            pos_counts=pos_counts.astype(np.uint32),
            num_regions=num_regions,
            num_pixels=int(valid.sum()),
            clipped=clipped,
            image_score=self.score_rule.image_score_of(scores),
            image_label=bool(defect.any()))

    def _keys(self, scores: np.ndarray):
        if self.edges is not None:
            return linear_bin_index(scores, self.edges)
        return float_to_key(scores, self.mantissa_bits), 0

    def _key_edges(self, keys: np.ndarray) -> np.ndarray:
        if self.edges is not None:
            return self.edges[keys]
        return key_to_float(keys, self.mantissa_bits)

    def _upper_edge(self, key: int) -> float:
        """The lower edge of the key above ``key`` (``inf`` if none)."""
        if self.edges is not None:
            return float(self.edges[key + 1])
        lower, upper = key_to_float(np.array([key, key + 1]),
                                    self.mantissa_bits)
        return float(upper) if upper > lower else float('inf')

    def _binning_info(self) -> dict:
        if self.edges is not None:
            return dict(binning='linear', num_bins=len(self.edges) - 1,
                        score_range=(float(self.edges[0]),
                                     float(self.edges[-1])))
        return dict(binning=self.binning, mantissa_bits=self.mantissa_bits)

    def _merge_all(self, results: List[dict]):
        """Merged histogram ``(keys, neg, pos, region_weight)``.

        Binary-counter merge: partial histograms of equal rank are merged
        pairwise, so at most log2(#chunks) of them are alive at a time and
        every entry is re-sorted only log2(#chunks) times.
        """
        stack: List[tuple] = []
        for start in range(0, len(results), self.merge_chunk):
            rank, merged = 0, _merge_histograms(
                results[start:start + self.merge_chunk])
            while stack and stack[-1][0] == rank:
                merged = _merge_merged([stack.pop()[1], merged])
                rank += 1
            stack.append((rank, merged))
        return _merge_merged([merged for _, merged in stack])

    def _image_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores, labels = _image_arrays(results)
        _, pos, neg = counts_from_scores(scores, labels)
        if labels.all() or not labels.any():
            kind = 'defective' if labels.all() else 'defect-free'
            warnings.warn(f'AnomalyMetric: all {len(labels)} images are '
                          f'{kind}; image_AUROC is undefined (NaN)' +
                          ('' if labels.any() else ' and so is AP_det'))
        return dict(
            image_AUROC=auroc_from_counts(pos, neg),
            AP_det=average_precision_from_counts(pos, neg))

    def _pixel_metrics(self, merged: tuple, num_regions: int):
        keys, neg, pos, region_weight = merged
        total_pos, total_neg = pos.sum(), neg.sum()
        if total_pos == 0 or total_neg == 0:
            missing = 'defect' if total_pos == 0 else 'defect-free'
            warnings.warn(f'AnomalyMetric: no {missing} pixels; pixel_AUROC '
                          'and PRO are undefined (NaN)' +
                          (', and so are AP_loc, F1_max and threshold'
                           if total_pos == 0 else ''))
        f1, best = f1_max_from_counts(pos, neg)
        threshold = (
            float(self._key_edges(keys[best:best + 1])[0])
            if best is not None else float('nan'))
        fpr, pro = pro_curve_from_counts(neg, region_weight, num_regions)
        metrics = dict(
            pixel_AUROC=auroc_from_counts(pos, neg),
            AP_loc=average_precision_from_counts(pos, neg),
            PRO=pro_auc(fpr, pro, self.fpr_limit),
            F1_max=f1,
            threshold=threshold)
        if self.binning == 'exact':
            bounds = dict(pixel_AUROC=0.0, AP_loc=0.0, PRO=0.0)
        else:
            bounds = dict(
                pixel_AUROC=auroc_discretisation_bound(pos, neg),
                AP_loc=ap_discretisation_bound(pos, neg),
                PRO=pro_discretisation_bound(fpr, pro, self.fpr_limit))
        return metrics, bounds

    def _calibrate(self, key: str, spec: dict, results: List[dict],
                   merged: tuple) -> float:
        """Compute one threshold of ``thresholds``; NaN + warning if the
        data cannot give it."""
        try:
            value, details = self._threshold(spec, results, merged)
            record = threshold_info(
                value, spec['level'], spec['method'], self.score_rule,
                q=spec.get('q'), num_images=len(results), **details)
        except ValueError as err:
            message = f'{key}: {err}'
            warnings.warn(f'AnomalyMetric: {message}')
            self.calibration_errors[key] = message
            return float('nan')
        self.calibrated[key] = record
        return record['value']

    def _threshold(self, spec: dict, results: List[dict], merged: tuple):
        level, method = spec['level'], spec['method']
        normal = [r for r in results if not r['image_label']]
        if method == 'quantile' and not normal:
            raise ValueError(
                f'no defect-free image among the {len(results)} images; '
                'the normal-data quantile needs some (or use method="f1")')
        details: Dict[str, Any] = dict(num_normal_images=len(normal))
        if level == 'image':
            details['binning'] = 'exact'
            scores, labels = _image_arrays(results)
            if method == 'quantile':
                return quantile_threshold(scores[~labels], spec['q']), details
            value, f1 = f1_optimal_threshold(scores, labels, 'image scores')
            details.update(f1=f1, fallback=_fallback(f1))
            return value, details
        details.update(self._binning_info())
        if method == 'quantile':
            keys, neg = self._merge_all(normal)[:2]
            index = quantile_index_from_counts(neg, spec['q'])
            details.update(num_pixels=int(neg.sum()),
                           bin_upper=self._upper_edge(int(keys[index])))
            return float(self._key_edges(keys[index:index + 1])[0]), details
        keys, neg, pos = merged[:3]
        value, f1 = f1_threshold_from_counts(
            self._key_edges(keys), pos, neg,
            self._upper_edge(int(keys[-1])), 'pixel scores')
        details.update(num_pixels=int(neg.sum() + pos.sum()), f1=f1,
                       fallback=_fallback(f1))
        return value, details

    def _save_curves(self, results: List[dict], merged: tuple) -> None:
        """Write the curve data to ``curves_out`` (atomically)."""
        out = self.curves_out
        if osp.exists(out) and not self._curves_written:
            warnings.warn(f'AnomalyMetric: {out} appeared during the '
                          'evaluation; not overwriting it')
            return
        keys, neg, pos = merged[:3]
        scores, labels = _image_arrays(results)
        from mmdefect.engine import atomic_output
        with atomic_output(out, suffix='.npz') as tmp:
            np.savez(
                tmp,
                image_scores=scores,
                image_labels=labels,
                pixel_keys=keys,
                pixel_edges=self._key_edges(keys),
                pixel_pos=pos.astype(np.int64),
                pixel_neg=neg.astype(np.int64),
                score_rule=np.asarray(json.dumps(self.score_rule.to_dict())),
                binning=np.asarray(json.dumps(self._binning_info())))
        self._curves_written = True


def _threshold_specs(thresholds: Sequence[Mapping]) -> Dict[str, dict]:
    """Validate ``thresholds`` and name them (metric key -> spec)."""
    specs: Dict[str, dict] = {}
    for index, spec in enumerate(thresholds):
        where = f'AnomalyMetric: thresholds[{index}]'
        if not isinstance(spec, Mapping):
            raise TypeError(f'{where} must be a dict, got {spec!r}')
        spec = dict(spec)
        unknown = set(spec) - {'method', 'level', 'q'}
        if unknown:
            raise ValueError(f'{where} has unknown fields {sorted(unknown)} '
                             "(expected 'method', 'level', 'q')")
        spec.setdefault('level', 'pixel')
        if spec.get('method') not in METHODS:
            raise ValueError(f"{where}['method'] must be one of {METHODS}, "
                             f"got {spec.get('method')!r}")
        if spec['level'] not in LEVELS:
            raise ValueError(f"{where}['level'] must be one of {LEVELS}, "
                             f"got {spec['level']!r}")
        if spec['method'] == 'quantile':
            q = spec.setdefault('q', 0.999)
            if isinstance(q, bool) or not isinstance(
                    q, (int, float)) or not 0.0 <= q <= 1.0:
                raise ValueError(f"{where}['q'] must be in [0, 1], got {q!r}")
            spec['q'] = float(q)
            key = f"{spec['level']}_threshold_quantile@{spec['q']}"
        elif 'q' in spec:
            raise ValueError(f"{where}: 'q' is only for method='quantile'")
        else:
            key = f"{spec['level']}_threshold_f1"
        if key in specs:
            raise ValueError(f'{where} repeats {key}')
        specs[key] = spec
    return specs


def _fallback(f1: float) -> Optional[str]:
    """The fallback rule a NaN F1 means (see the class docstring)."""
    return 'above_max' if np.isnan(f1) else None


def _image_arrays(results: List[dict]):
    scores = np.array([r['image_score'] for r in results], np.float64)
    labels = np.array([r['image_label'] for r in results], bool)
    return scores, labels


def _merge_histograms(results: List[dict]):
    """Merge the sparse per-image histograms of ``results``.

    Returns:
        tuple: sorted distinct keys and, per key, the defect-free pixel
        count, the defect pixel count and the region weight
        ``sum_j c_jk / |region_j|``.
    """
    neg_keys = [r['neg_keys'] for r in results]
    pos_keys = [r['pos_keys'] for r in results]
    weights = []
    for r in results:
        regions = r['pos_regions'].astype(np.int64)
        counts = r['pos_counts'].astype(np.float64)
        weights.append(counts / np.bincount(regions, counts)[regions])
    num_neg = sum(len(k) for k in neg_keys)
    num_pos = sum(len(k) for k in pos_keys)
    return _sum_by_key(
        np.concatenate(neg_keys + pos_keys),
        np.concatenate([r['neg_counts'] for r in results] + [
            np.zeros(num_pos)]),
        np.concatenate([np.zeros(num_neg)] +
                       [r['pos_counts'] for r in results]),
        np.concatenate([np.zeros(num_neg)] + weights))


def _merge_merged(chunks: List[tuple]):
    """Merge outputs of :func:`_merge_histograms`."""
    if len(chunks) == 1:
        return chunks[0]
    return _sum_by_key(*(np.concatenate(parts) for parts in zip(*chunks)))


def _sum_by_key(keys: np.ndarray, *weights: np.ndarray):
    merged, inverse = np.unique(keys.astype(np.int64), return_inverse=True)
    inverse = inverse.ravel()
    return (merged, ) + tuple(
        np.bincount(inverse, w.astype(np.float64), len(merged))
        for w in weights)
