"""The one shape check of paired (inspected + reference) input tensors."""
from torch import Tensor


def check_pair_tensor(inputs: Tensor,
                      in_channels: int = 3,
                      owner: str = 'paired model',
                      batched: bool = True,
                      hint: str = '',
                      index: int = None) -> None:
    """Raise unless ``inputs`` is a paired tensor.

    A paired tensor holds the inspected image in channels ``0..C-1`` and its
    reference in ``C..2C-1`` (``C = in_channels``), as
    :class:`~mmdefect.datasets.PackPairedSegInputs` packs it: ``(N, 2C, H,
    W)`` for a batch (``batched=True``) or ``(2C, H, W)`` for one sample.

    Args:
        inputs (Tensor): the tensor to check.
        in_channels (int): channels of one image.
        owner (str): who checks, the first words of the error.
        batched (bool): a batch or one sample.
        hint (str): appended to the error (what to use instead).
        index (int, optional): the sample's position in its batch, named in
            the error.

    Raises:
        ValueError: naming the expected and the actual shape.
    """
    expected = 2 * in_channels
    dims = 4 if batched else 3
    if inputs.dim() == dims and inputs.shape[dims - 3] == expected:
        return
    shape = f'(N, {expected}, H, W)' if batched else f'({expected}, H, W)'
    got = 'got' if index is None else f'input {index} has shape'
    message = (f'{owner} expects paired inputs of shape {shape} (inspected '
               f'image in channels 0-{in_channels - 1}, reference in '
               f'{in_channels}-{expected - 1}), {got} '
               f'{tuple(inputs.shape)}.')
    raise ValueError(f'{message} {hint}'.rstrip())
