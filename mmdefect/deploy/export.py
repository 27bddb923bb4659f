"""Export a defect model to ONNX with its pre- and post-processing."""
import copy
import os
import os.path as osp
import tempfile
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from mmdefect.engine.atomic_local_backend import default_file_mode
from mmdefect.evaluation.score_rule import ScoreRule
from .export_module import DefectExportModule
from .metadata import FORMAT_VERSION, encode_metadata
from .traceable_attention import replace_multihead_attention

DEFAULT_OPSET = 17
INPUT_NAMES = ('inspected', 'reference')
ONNX_INSTALL_HINT = ('pip install onnx onnxruntime (or pip install -r '
                     'requirements/optional.txt)')


class ExportError(RuntimeError):
    """The model cannot be exported as asked; nothing was written."""


def require_module(name: str):
    """Import ``onnx``/``onnxruntime`` or say how to install them."""
    try:
        return __import__(name)
    except ImportError:
        raise ImportError(f'{name} is not installed; it is an optional '
                          f'dependency of mmdefect\'s ONNX export and '
                          f'runtime: {ONNX_INSTALL_HINT}') from None


def model_family(model: torch.nn.Module) -> str:
    """The family name stored in the metadata (see :mod:`.metadata`)."""
    head = getattr(model, 'decode_head', None)
    if getattr(head, 'out_anomaly_map', False):
        return 'anomaly'
    fusion = getattr(model, 'fusion', None)
    if fusion is None or fusion == 'img_only':
        return 'single_image'
    if fusion == 'pair':
        return 'cadnet' if type(head).__name__ == 'CADHead' else \
            'siamese_pair'
    return f'siamese_{fusion}'


def is_paired(model: torch.nn.Module) -> bool:
    """Whether the model takes ``(N, 2C, H, W)`` paired inputs."""
    from mmdefect.models.segmentors import SiameseEncoderDecoder
    return isinstance(model, SiameseEncoderDecoder) or bool(
        getattr(type(model), 'paired_input', False))


def check_exportable(model: torch.nn.Module, dynamic: bool,
                     pad_size: Optional[Sequence[int]]) -> None:
    """Refuse what the graph cannot express, before anything is traced."""
    name = type(model).__name__
    if not hasattr(model, 'extract_feat') or getattr(
            model, 'decode_head', None) is None:
        raise ExportError(
            f'{name} has no extract_feat/decode_head network to trace '
            '(e.g. ClassicalDiffSegmentor is OpenCV/NumPy code outside '
            'PyTorch); it cannot be exported to ONNX')
    mode = (model.test_cfg or {}).get('mode', 'whole')
    if mode != 'whole':
        raise ExportError(
            f"the config's model.test_cfg.mode is {mode!r}; only whole-image "
            'inference is exported (slide windows are a loop over the '
            "image); set --cfg-options model.test_cfg.mode='whole' or tile "
            'the image outside the graph')
    if dynamic and pad_size is not None:
        raise ExportError(
            'the data preprocessor pads test inputs to the fixed size '
            f'{tuple(pad_size)} (data_preprocessor.test_cfg.size), so height '
            'and width cannot be dynamic; export without --dynamic-shape')


def _rule_and_threshold(meta: dict,
                        rule: Optional[ScoreRule]) -> Tuple[Any, ...]:
    """The score rule to bake in and the checkpoint's threshold record."""
    info = meta.get('defect_threshold_info')
    stored = None
    if isinstance(info, dict) and info.get('score_rule'):
        stored = ScoreRule.from_dict(info['score_rule'])
    if rule is None:
        rule = stored or ScoreRule()
    elif stored is not None:
        rule.check_compatible(stored, info.get('level', 'image'),
                              'the checkpoint')
    value = meta.get('defect_threshold')
    return rule, (None if value is None else float(value)), info


def _plain(value: Any) -> Any:
    """JSON-safe copy of a metadata value (tuples, numpy scalars)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def export_model(model: torch.nn.Module,
                 out: str,
                 shape: Sequence[int] = (512, 512),
                 dynamic: bool = False,
                 opset: int = DEFAULT_OPSET,
                 input_dtype: str = 'uint8',
                 score_rule: Optional[ScoreRule] = None,
                 checkpoint_meta: Optional[dict] = None,
                 dataset_meta: Optional[dict] = None,
                 source: Tuple[Optional[str], Optional[str]] = (None, None),
                 overwrite: bool = False,
                 verify: bool = True,
                 dynamic_batch: Optional[bool] = None) -> Dict[str, Any]:
    """Export a built model (eval mode, weights loaded) to ``out``.

    The graph is written to a temporary file next to ``out``, checked with
    ``onnx.checker``, compared with the PyTorch module through ONNX Runtime
    (when installed and ``verify``; at a second size too for
    ``dynamic``), and only then renamed to ``out``. A refusal raises and
    leaves no file.

    Args:
        model (nn.Module): The segmentor.
        out (str): The ``.onnx`` file.
        shape (Sequence[int]): ``(H, W)`` traced (and fixed unless
            ``dynamic``).
        dynamic (bool): Dynamic height and width (the batch is always
            dynamic).
        opset (int): ONNX opset.
        input_dtype (str): ``'uint8'`` or ``'float32'``.
        score_rule (ScoreRule, optional): Image-score rule; defaults to the
            one the checkpoint's threshold was calibrated with, else
            ``ScoreRule()`` (``'max'``).
        checkpoint_meta (dict, optional): The checkpoint's ``meta``.
        dataset_meta (dict, optional): ``classes`` and ``palette``.
        source (tuple): Config and checkpoint paths, for the metadata.
        overwrite (bool): Replace an existing ``out``.
        verify (bool): Run the ONNX Runtime comparison.
        dynamic_batch (bool, optional): Force a dynamic (True) or fixed
            batch of 1 (False); by default a dynamic batch is tried and
            replaced by a fixed one when the comparison fails only at batch
            2 (without ``verify``: dynamic).

    Returns:
        dict: ``path``, ``size_bytes``, ``metadata`` and ``max_abs_diff``
        (per verified size).

    Raises:
        FileExistsError: ``out`` exists and ``overwrite`` is False.
        ExportError: The model or the options cannot be exported.
        ImportError: ``onnx`` is missing.
    """
    onnx = require_module('onnx')
    out = os.fspath(out)
    if osp.exists(out) and not overwrite:
        raise FileExistsError(f'{out} exists; pass --overwrite to replace it')
    model = copy.deepcopy(model).eval()
    replace_multihead_attention(model)
    pre_cfg = dict(getattr(model.data_preprocessor, 'test_cfg', None) or {})
    check_exportable(model, dynamic, pre_cfg.get('size'))
    height, width = (int(s) for s in shape)
    rule, threshold, threshold_info = _rule_and_threshold(
        dict(checkpoint_meta or {}), score_rule)
    takes_pair = is_paired(model)
    paired = takes_pair and getattr(model, 'fusion', None) != 'img_only'
    module = DefectExportModule(
        model,
        rule,
        paired=takes_pair,
        input_dtype=input_dtype,
        static_hw=None if dynamic else (height, width)).eval()
    channels = module.channels
    dtype = torch.uint8 if input_dtype == 'uint8' else torch.float32
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix='.onnx.tmp', dir=folder)
    os.close(fd)
    from mmdefect import __version__
    dataset_meta = dict(dataset_meta or {})
    values = dict(
        mmdefect_format=FORMAT_VERSION,
        mmdefect_version=__version__,
        model_family=model_family(model),
        paired=paired,
        classes=_plain(list(dataset_meta.get('classes') or [])),
        palette=_plain(list(dataset_meta.get('palette') or [])),
        inputs=list(INPUT_NAMES),
        outputs=list(module.output_names),
        input_layout='NHWC',
        input_dtype=input_dtype,
        channel_order='BGR',
        input_shape=None if dynamic else [height, width],
        dynamic_shape=bool(dynamic),
        batch_size=None,
        score_rule=rule.to_dict(),
        defect_threshold=threshold,
        defect_threshold_info=_plain(threshold_info),
        source_config=source[0],
        source_checkpoint=source[1])
    try:
        # a dynamic batch first; models whose code bakes the traced batch
        # size into a reshape (e.g. Swin's window_reverse) get batch 1
        tries = (True, False) if dynamic_batch is None else (dynamic_batch, )
        for batch_dynamic in tries:
            _trace(module, tmp, (height, width), dtype, dynamic,
                   batch_dynamic, opset)
            proto = onnx.load(tmp)
            graph_inputs = [i.name for i in proto.graph.input]
            if graph_inputs != list(INPUT_NAMES):
                raise ExportError(
                    f'the traced graph has inputs {graph_inputs}, expected '
                    f'{list(INPUT_NAMES)}')
            values['batch_size'] = None if batch_dynamic else 1
            del proto.metadata_props[:]
            for key, value in encode_metadata(values).items():
                entry = proto.metadata_props.add()
                entry.key, entry.value = key, value
            onnx.checker.check_model(proto)
            onnx.save(proto, tmp)
            if not verify:
                diffs = {}
                break
            diffs = _verify(module, tmp, (height, width), dynamic, dtype,
                            channels, batches=(1, 2) if batch_dynamic else
                            (1, ))
            if diffs is not None:
                break
        if diffs is None:
            raise ExportError(
                'the exported graph disagrees with PyTorch at batch 2 only; '
                'the model bakes the traced batch size into its graph: '
                'export with a fixed batch (dynamic_batch=False)')
        os.chmod(tmp, default_file_mode())  # mkstemp gives 0600
        os.replace(tmp, out)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return dict(
        path=out,
        size_bytes=osp.getsize(out),
        metadata=values,
        max_abs_diff=diffs)


def load_model(config: str,
               checkpoint: Optional[str],
               cfg_options: Optional[dict] = None
               ) -> Tuple[torch.nn.Module, dict, dict]:
    """Build a config's model on CPU in eval mode and load a checkpoint.

    The checkpoint goes through mmengine's ``CheckpointLoader`` (mmdefect's
    safe loader); backbone ``Pretrained`` inits are not run (weights come
    from the checkpoint), SyncBN becomes BN.

    Returns:
        tuple: ``(model, checkpoint_meta, dataset_meta)``; ``dataset_meta``
        from the checkpoint, else the config's test dataset.
    """
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.runner import load_checkpoint
    from mmseg.registry import DATASETS, MODELS

    from mmdefect.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.model.pretrained = None
    cfg.model.train_cfg = None
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    meta: dict = {}
    if checkpoint is not None:
        loaded = load_checkpoint(model, checkpoint, map_location='cpu')
        meta = dict(loaded.get('meta') or {})
    dataset_meta = dict(meta.get('dataset_meta') or {})
    if not dataset_meta.get('classes'):
        dataset = (cfg.get('test_dataloader') or {}).get('dataset') or {}
        dataset_meta = dict(dataset.get('metainfo') or {})
        if not dataset_meta and isinstance(dataset.get('type'), str):
            cls = DATASETS.get(dataset['type'])
            dataset_meta = dict(getattr(cls, 'METAINFO', None) or {})
    model.cfg = cfg
    return model.eval(), meta, dataset_meta


VERIFY_TOLERANCE = 1e-4


def _trace(module: DefectExportModule, path: str, shape: Tuple[int, int],
           dtype: torch.dtype, dynamic: bool, dynamic_batch: bool,
           opset: int) -> None:
    """``torch.onnx.export`` (TorchScript tracer) of ``module`` to ``path``.
    """
    gen = torch.Generator().manual_seed(0)
    sample = tuple(
        torch.randint(0, 256, (1, *shape, module.channels),
                      generator=gen).to(dtype) for _ in INPUT_NAMES)
    axes = {0: 'batch'} if dynamic_batch else {}
    if dynamic:
        axes.update({1: 'height', 2: 'width'})
    dynamic_axes = {name: dict(axes) for name in INPUT_NAMES}
    for name in module.output_names:
        dynamic_axes[name] = {
            k: v
            for k, v in axes.items() if name != 'image_score' or k == 0
        }
    try:
        with torch.no_grad():
            torch.onnx.export(
                module,
                sample,
                path,
                dynamo=False,
                input_names=list(INPUT_NAMES),
                output_names=list(module.output_names),
                dynamic_axes=dynamic_axes,
                opset_version=int(opset),
                do_constant_folding=True)
    except Exception as err:
        raise ExportError(
            f'torch.onnx.export failed for {type(module.model).__name__} at '
            f'opset {opset}: {type(err).__name__}: {err}') from err


def _verify(module: DefectExportModule,
            path: str,
            shape: Tuple[int, int],
            dynamic: bool,
            dtype: torch.dtype,
            channels: int,
            batches: Sequence[int] = (1, 2)) -> Optional[Dict[str, float]]:
    """Compare ONNX Runtime with the PyTorch module on random pairs.

    Returns the max score differences per checked size, ``{}`` without
    ONNX Runtime, or ``None`` when only a batch larger than the traced one
    disagrees (the caller re-traces with a fixed batch).

    Raises:
        ExportError: The graph disagrees at the traced batch and size, or
            at another size of a dynamic export.
    """
    try:
        import onnxruntime as ort
    except ImportError:
        return {}
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, torch.get_num_threads())
    session = ort.InferenceSession(
        path, options, providers=['CPUExecutionProvider'])
    checks = [(batch, tuple(shape)) for batch in batches]
    if dynamic:
        checks.append((1, (shape[0] + 32, max(32, shape[1] - 32))))
    diffs = {}
    gen = torch.Generator().manual_seed(1)
    for batch, (height, width) in checks:
        pair = [
            torch.randint(0, 256, (batch, height, width, channels),
                          generator=gen).to(dtype) for _ in INPUT_NAMES
        ]
        with torch.no_grad():
            expected = module(*pair)[0].numpy()
        try:
            got = session.run(['score_map'], {
                name: t.numpy()
                for name, t in zip(INPUT_NAMES, pair)
            })[0]
            diff = float(np.abs(got - expected).max()) \
                if got.shape == expected.shape else float('inf')
            error = f'max |score difference| {diff:.3g} > {VERIFY_TOLERANCE}'
        except Exception as err:  # ONNX Runtime's own error types
            diff = float('inf')
            error = f'ONNX Runtime failed: {str(err).splitlines()[0]}'
        if not diff <= VERIFY_TOLERANCE:
            if batch > 1:
                return None
            hint = _dynamic_hint(dynamic, (height, width), shape)
            raise ExportError(
                f'the exported graph disagrees with PyTorch at {height}x'
                f'{width}: {error}{hint}')
        diffs[f'{batch}x{height}x{width}'] = diff
    return diffs


def _dynamic_hint(dynamic: bool, size: Tuple[int, int],
                  traced: Tuple[int, int]) -> str:
    if dynamic and tuple(size) != tuple(traced):
        return ('; the traced graph does not generalise to other sizes for '
                'this model: export without --dynamic-shape')
    return ''
