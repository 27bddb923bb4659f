"""ONNX Runtime session of an exported defect model (no PyTorch needed)."""
import os
from typing import Dict, Optional, Sequence

import numpy as np

from mmdefect.evaluation.score_rule import ScoreRule
from .metadata import decode_metadata

ORT_INSTALL_HINT = ('pip install onnxruntime (or pip install -r '
                    'requirements/optional.txt)')


def import_onnxruntime():
    """``onnxruntime``, or an ImportError saying how to install it."""
    try:
        import onnxruntime
    except ImportError:
        raise ImportError(
            'onnxruntime is not installed; running an exported mmdefect '
            f'model needs it: {ORT_INSTALL_HINT}') from None
    return onnxruntime


class OrtRunner:
    """Run a file written by ``tools/deployment/pytorch2onnx.py``.

    The file carries its interface in its metadata
    (:mod:`mmdefect.deploy.metadata`): raw NHWC BGR images of
    ``input_dtype``, the score rule, class names and the calibrated
    threshold.  :meth:`run` feeds a batch of same-size pairs and returns the
    graph's outputs as NumPy arrays; :class:`OrtDefectInferencer` builds the
    per-pair results on top of it.

    Args:
        onnx_file (str): The exported model.
        num_threads (int, optional): ONNX Runtime intra-op threads
            (default: ONNX Runtime's choice).
        providers (Sequence[str], optional): Execution providers. Defaults
            to ``['CPUExecutionProvider']``.
    """

    def __init__(self,
                 onnx_file: str,
                 num_threads: Optional[int] = None,
                 providers: Optional[Sequence[str]] = None):
        ort = import_onnxruntime()
        onnx_file = os.fspath(onnx_file)
        if not os.path.isfile(onnx_file):
            raise FileNotFoundError(f'ONNX model {onnx_file} does not exist')
        options = ort.SessionOptions()
        if num_threads:
            options.intra_op_num_threads = int(num_threads)
            options.inter_op_num_threads = 1
        self.path = onnx_file
        self.session = ort.InferenceSession(
            onnx_file,
            options,
            providers=list(providers or ['CPUExecutionProvider']))
        self.meta = decode_metadata(
            self.session.get_modelmeta().custom_metadata_map,
            where=onnx_file)
        self.score_rule = ScoreRule.from_dict(self.meta['score_rule'])
        self.output_names = [o.name for o in self.session.get_outputs()]
        self.input_dtype = np.dtype(self.meta['input_dtype'])
        shape = self.meta.get('input_shape')
        self.input_shape = tuple(shape) if shape else None
        self.channels = int(self.session.get_inputs()[0].shape[3])

    @property
    def classes(self):
        return tuple(self.meta.get('classes') or ())

    @property
    def threshold(self) -> Optional[float]:
        """The calibrated threshold stored at export (or None)."""
        value = self.meta.get('defect_threshold')
        return None if value is None else float(value)

    def check_image(self, image: np.ndarray, role: str) -> None:
        """Raise ``ValueError`` unless ``image`` fits the graph's input."""
        if not isinstance(image, np.ndarray) or image.ndim != 3 or \
                image.shape[2] != self.channels:
            shape = getattr(image, 'shape', None)
            raise ValueError(f'the {role} image has shape {shape}; expected '
                             f'HxWx{self.channels} (BGR)')
        if self.input_shape is not None and \
                tuple(image.shape[:2]) != self.input_shape:
            raise ValueError(
                f'the {role} image is {image.shape[0]}x{image.shape[1]} but '
                f'{self.path} was exported for {self.input_shape[0]}x'
                f'{self.input_shape[1]} (no --dynamic-shape); resize it or '
                're-export with --dynamic-shape')

    def _as_input(self, image: np.ndarray) -> np.ndarray:
        if self.input_dtype == np.uint8:
            if image.dtype != np.uint8:
                if image.min() < 0 or image.max() > 255:
                    raise ValueError('uint8 graph input: values must lie in '
                                     '[0, 255]')
                image = np.rint(image)
            return np.ascontiguousarray(image, dtype=np.uint8)
        return np.ascontiguousarray(image, dtype=np.float32)

    def run(self, inspected: np.ndarray,
            reference: np.ndarray) -> Dict[str, np.ndarray]:
        """Run one pair (``HxWxC``) or a batch (``NxHxWxC``, same size).

        Returns:
            dict[str, np.ndarray]: ``score_map`` ``(N, H, W)`` float32,
            ``image_score`` ``(N,)`` and, for segmentation models,
            ``pred_mask`` ``(N, H, W)`` uint8; ``N = 1`` for one pair.
        """
        batch = []
        for role, image in (('inspected', inspected), ('reference',
                                                       reference)):
            image = np.asarray(image)
            if image.ndim == 3:
                image = image[None]
            if image.ndim != 4:
                raise ValueError(f'the {role} input has shape {image.shape}; '
                                 'expected HxWxC or NxHxWxC')
            for item in image[:1]:
                self.check_image(item, role)
            batch.append(self._as_input(image))
        if batch[0].shape != batch[1].shape:
            raise ValueError(
                f'inspected {batch[0].shape} and reference {batch[1].shape} '
                'differ in shape')
        outputs = self.session.run(None, {
            'inspected': batch[0],
            'reference': batch[1]
        })
        return dict(zip(self.output_names, outputs))
