"""``OrtDefectInferencer``: ``DefectInferencer``'s sibling on ONNX Runtime."""
import math
import os.path as osp
from typing import Any, Dict, List, Optional

import mmcv
import numpy as np

from mmdefect.apis.pair_inputs import (PairInput, describe_failure,
                                       fill_result, plan_outputs,
                                       to_pair_inputs)
from mmdefect.apis.pair_result import PairResult
from mmdefect.evaluation.threshold_record import read_threshold
from .ort_runner import OrtRunner


class OrtDefectInferencer:
    """Inspect image pairs with a file of ``tools/deployment/pytorch2onnx.py``.

    The same inputs as :class:`~mmdefect.apis.DefectInferencer` (a pair of
    paths or ``uint8 HxWx3`` BGR arrays, a list of pairs, a pair of folders;
    :func:`~mmdefect.apis.pair_inputs.to_pair_inputs`) and the same result:
    one :class:`~mmdefect.apis.PairResult` per pair, in input order, with
    ``error`` naming the file of a pair that failed (unreadable, missing or
    ambiguous reference, sizes that differ or do not fit the graph) while
    the others go on. Images are read as the default ``LoadImageFromFile``
    reads them (OpenCV, BGR); the graph does the normalisation, the scores
    and the class map. A test pipeline that resizes is not replayed: give
    the images at the exported size.

    Scores and decisions follow the shared score layer: the file's
    :class:`~mmdefect.evaluation.ScoreRule` gives the image score of the
    score map (float64, as the PyTorch path), ``score >= threshold``
    decides. The threshold is ``threshold``, else the file's calibrated one
    (checked like a checkpoint's: recorded for this rule at
    ``threshold_level``), else 0.5.

    Args:
        onnx_file (str): The exported model.
        threshold (float, optional): Decision threshold.
        threshold_level (str): ``'pixel'`` or ``'image'``: what the stored
            threshold must have been calibrated for. Defaults to 'pixel'.
        num_threads (int, optional): ONNX Runtime intra-op threads.
        providers (list[str], optional): ONNX Runtime execution providers.

    Example::

        inferencer = OrtDefectInferencer('cadnet.onnx')
        for result in inferencer(('inspected/', 'reference/'), batch_size=4):
            print(result.pair[0], result.error or result.is_defective)
    """

    def __init__(self,
                 onnx_file: str,
                 threshold: Optional[float] = None,
                 threshold_level: str = 'pixel',
                 num_threads: Optional[int] = None,
                 providers: Optional[List[str]] = None):
        self.runner = OrtRunner(onnx_file, num_threads, providers)
        self.score_rule = self.runner.score_rule
        stored = None
        if threshold is None:
            stored = read_threshold(self.runner.meta, self.score_rule,
                                    threshold_level, onnx_file)[0]
        self.threshold, self.threshold_source = next(
            (float(value), source)
            for value, source in ((threshold, 'argument'),
                                  (stored, 'file'), (0.5, 'default'))
            if value is not None)
        if not math.isfinite(self.threshold):
            raise ValueError(f'the threshold must be finite, got {threshold}')

    def __call__(self,
                 inputs: Any,
                 batch_size: int = 1,
                 out_dir: str = '',
                 overwrite: bool = False) -> List[PairResult]:
        """Inspect pairs; ``out_dir/pred/<name>.png`` gets the uint8 class
        map (or the defect mask of an anomaly model) when given."""
        if int(batch_size) < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        if self.runner.meta.get('batch_size') == 1:
            batch_size = 1  # a graph with a fixed batch
        records = to_pair_inputs(inputs, self.runner.channels)
        if out_dir:
            plan_outputs(records, dict(pred=osp.join(out_dir, 'pred')),
                         overwrite)
        results: Dict[int, PairResult] = {}
        buckets: Dict[tuple, list] = {}
        for record in records:
            images = None if record.error else self._load(record)
            if images is None:
                results[record.index] = self._failed(record)
                continue
            bucket = buckets.setdefault(images[0].shape, [])
            bucket.append((record, images))
            if len(bucket) == batch_size:
                self._run(buckets.pop(images[0].shape), results)
        for bucket in buckets.values():
            self._run(bucket, results)
        return [results[r.index] for r in records]

    def _load(self, record: PairInput) -> Optional[tuple]:
        """``(inspected, reference)`` BGR arrays, or ``None`` with
        ``record.error`` set."""
        try:
            images = tuple(
                item if isinstance(item, np.ndarray) else mmcv.imread(
                    item, 'color', channel_order='bgr')
                for item in (record.img, record.ref))
            for image, name in zip(images, record.names):
                if image is None:
                    raise ValueError(f'cannot read {name}')
            if images[0].shape != images[1].shape:
                raise ValueError(
                    f'inspected {images[0].shape[:2]} and reference '
                    f'{images[1].shape[:2]} differ in size')
            for role, image in zip(('inspected', 'reference'), images):
                self.runner.check_image(image, role)
        except Exception as err:  # one bad pair must not stop the others
            record.error = describe_failure(err, record.names)
            return None
        return images

    def _run(self, bucket: list, results: Dict[int, PairResult]) -> None:
        """Run one batch; a failing batch is re-run pair by pair."""
        try:
            outputs = self.runner.run(
                np.stack([images[0] for _, images in bucket]),
                np.stack([images[1] for _, images in bucket]))
        except Exception as err:
            if len(bucket) > 1:
                for item in bucket:
                    self._run([item], results)
                return
            record = bucket[0][0]
            record.error = 'model failed: ' + describe_failure(
                err, record.names)
            results[record.index] = self._failed(record)
            return
        for i, (record, _) in enumerate(bucket):
            results[record.index] = self._result(
                record, {k: v[i]
                         for k, v in outputs.items()})

    def _failed(self, record: PairInput) -> PairResult:
        return PairResult(
            record.index,
            record.names,
            error=record.error,
            threshold=self.threshold,
            out_files=record.written)

    def _result(self, record: PairInput, out: dict) -> PairResult:
        result = self._failed(record)
        labels = out.get('pred_mask')
        fill_result(result, record,
                    np.ascontiguousarray(out['score_map'], dtype=np.float32),
                    self.score_rule, self.threshold,
                    None if labels is None else labels.astype(np.int64))
        return result
