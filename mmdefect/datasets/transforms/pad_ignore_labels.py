"""Pad images in any mode while the padded labels stay ignored."""
from mmcv.transforms import Pad
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PadIgnoreLabels(Pad):
    """mmcv's ``Pad`` whose label padding is always ``seg_pad_val``.

    mmcv's ``Pad`` pads the label with the image's ``padding_mode``: with
    ``'reflect'`` or ``'edge'`` the padded labels are copies of real ones,
    so a defect mirrored into the padding would be counted as a second
    defect and the padded area would be scored. Here the image is padded
    with ``padding_mode`` (``'reflect'``: the remedy the CAT paper names for
    its zero-padding weakness, Sec. 5) and the label always with the
    constant ``pad_val['seg']`` (default 255, the ignore index), so metrics
    and losses see only the original image area whatever the padding mode.
    With ``padding_mode='constant'`` it behaves exactly like ``Pad``.

    Args: see :class:`mmcv.transforms.Pad`.
    """

    def _pad_seg(self, results: dict) -> None:
        mode = self.padding_mode
        self.padding_mode = 'constant'
        try:
            super()._pad_seg(results)
        finally:
            self.padding_mode = mode
