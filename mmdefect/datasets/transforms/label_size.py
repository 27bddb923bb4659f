"""Check that a sample's label has its image's size."""
import mmcv

LABEL_SIZE_POLICIES = ('error', 'resize')


def check_label_size_policy(policy: str, owner: str) -> str:
    """Validate a ``label_size_policy`` argument of ``owner``."""
    if policy not in LABEL_SIZE_POLICIES:
        raise ValueError(f'{owner}: label_size_policy must be one of '
                         f'{LABEL_SIZE_POLICIES}, got {policy!r}')
    return policy


def check_label_size(results: dict,
                     size_policy: str = 'error',
                     where: str = 'the pipeline',
                     key: str = 'gt_seg_map') -> dict:
    """Compare the label ``results[key]`` with the image it belongs to.

    mmseg resizes a label of another size than its image together with the
    image during training (silently) and fails in the metric at test time
    without naming a file.  A label is accepted when its height/width equal
    the image's current size (``img``, both went through the same geometric
    transforms) or its original size (``ori_shape``, the label was loaded
    after the image was resized, as in mmseg's test pipelines).

    Args:
        results: The pipeline's sample dict.
        size_policy: ``'error'`` (default) raises, naming the label file,
            the image file and both sizes; ``'resize'`` resizes the label to
            the image's original size with nearest-neighbour interpolation
            (as ``LoadRefImageFromFile(size_policy='resize')`` does for
            references).
        where: The transform whose option ``label_size_policy`` relaxes the
            check, for the message.
        key: The label field (``'gt_seg_map'``; soft-mask loaders pass
            theirs).

    Returns:
        dict: ``results`` (with the label resized under ``'resize'``).

    Raises:
        ValueError: the sizes differ and ``size_policy='error'``.
    """
    label, img = results.get(key), results.get('img')
    if label is None or img is None:
        return results
    label_hw = tuple(label.shape[:2])
    img_hw = tuple(img.shape[:2])
    ori_hw = tuple(results.get('ori_shape') or img_hw)[:2]
    if label_hw in (img_hw, ori_hw):
        return results
    if size_policy == 'error':
        raise ValueError(
            f'label {results.get("seg_map_path")} is {label_hw[1]}x'
            f'{label_hw[0]} (WxH) but its image {results.get("img_path")} '
            f'is {ori_hw[1]}x{ori_hw[0]}; fix the label, or set '
            f'label_size_policy="resize" in {where} to resize it '
            f'(nearest neighbour)')
    results[key] = mmcv.imresize(
        label, (ori_hw[1], ori_hw[0]), interpolation='nearest')
    return results
