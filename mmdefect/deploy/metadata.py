"""The metadata an exported defect model carries (ONNX ``metadata_props``).

Every value is a JSON string under a plain key, so any ONNX consumer can
read it (``onnx.load(f).metadata_props``, or ONNX Runtime's
``session.get_modelmeta().custom_metadata_map``):

========================  =================================================
key                       value
========================  =================================================
``mmdefect_format``       format version of this record (``1``)
``mmdefect_version``      the exporting mmdefect version
``model_family``          ``cadnet``, ``siamese_diff``, ``siamese_concat``,
                          ``siamese_early``, ``siamese_pair``,
                          ``single_image``, ``anomaly``
``paired``                whether the graph uses the reference input
``classes``               class names (index = label value)
``palette``               RGB colour per class
``inputs`` / ``outputs``  graph input and output names
``input_layout``          ``NHWC``
``input_dtype``           ``uint8`` or ``float32`` (0-255)
``channel_order``         order the graph expects (``BGR``: as OpenCV loads)
``input_shape``           ``[H, W]``, or ``null`` when dynamic
``dynamic_shape``         whether height and width are dynamic
``batch_size``            ``null`` (dynamic batch) or the fixed batch (1)
``score_rule``            :class:`~mmdefect.evaluation.ScoreRule` dict
``defect_threshold``      the checkpoint's calibrated threshold or ``null``
``defect_threshold_info`` its record (level, method, rule) or ``null``
``source_config``         the config file exported
``source_checkpoint``     the checkpoint file exported
========================  =================================================
"""
import json
from typing import Any, Dict, Mapping

FORMAT_VERSION = 1
JSON_KEYS = ('mmdefect_format', 'mmdefect_version', 'model_family', 'paired',
             'classes', 'palette', 'inputs', 'outputs', 'input_layout',
             'input_dtype', 'channel_order', 'input_shape', 'dynamic_shape',
             'batch_size', 'score_rule', 'defect_threshold',
             'defect_threshold_info', 'source_config', 'source_checkpoint')


def encode_metadata(values: Mapping[str, Any]) -> Dict[str, str]:
    """JSON-encode a metadata record (keys of :data:`JSON_KEYS`)."""
    unknown = set(values) - set(JSON_KEYS)
    if unknown:
        raise KeyError(f'unknown metadata keys {sorted(unknown)}')
    return {key: json.dumps(values[key]) for key in JSON_KEYS
            if key in values}


def decode_metadata(props: Mapping[str, str],
                    where: str = 'the ONNX file') -> Dict[str, Any]:
    """Parse the record written by :func:`encode_metadata`.

    Raises:
        ValueError: ``props`` holds no mmdefect record (the file was not
            exported by ``tools/deployment/pytorch2onnx.py``) or a newer
            format.
    """
    if 'mmdefect_format' not in props:
        raise ValueError(
            f'{where} has no mmdefect metadata (metadata_props key '
            "'mmdefect_format'); export it with "
            'tools/deployment/pytorch2onnx.py')
    out = {}
    for key in JSON_KEYS:
        if key in props:
            try:
                out[key] = json.loads(props[key])
            except json.JSONDecodeError as err:
                raise ValueError(f'{where}: metadata {key!r} is not JSON: '
                                 f'{err}') from None
    if int(out['mmdefect_format']) > FORMAT_VERSION:
        raise ValueError(
            f'{where} has mmdefect metadata format '
            f'{out["mmdefect_format"]}, newer than this mmdefect reads '
            f'({FORMAT_VERSION}); upgrade mmdefect')
    return out
