"""``nn.MultiheadAttention`` written with plain ops for the ONNX tracer."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class TraceableMultiheadAttention(nn.Module):
    """Drop-in replacement of an ``nn.MultiheadAttention`` for export.

    The legacy ONNX exporter traces PyTorch's
    ``F.multi_head_attention_forward`` with the sequence lengths of the
    example input baked into its reshapes, so MiT/SegFormer graphs fail at
    any other image size.  This module shares the weights of the original
    (no copy) and computes the same attention with reshapes whose sizes
    are read from the tensors, so height and width stay dynamic.

    Supported: packed ``in_proj`` (same ``embed_dim`` for q, k, v),
    sequence-first inputs, no ``bias_k``/``bias_v``/``add_zero_attn``, no
    masks, eval mode (attention dropout is not applied).

    Args:
        mha (nn.MultiheadAttention): The module to mirror.
    """

    def __init__(self, mha: nn.MultiheadAttention):
        super().__init__()
        if not mha._qkv_same_embed_dim or mha.bias_k is not None or \
                mha.add_zero_attn or mha.batch_first:
            raise ValueError(
                'TraceableMultiheadAttention supports packed, '
                'sequence-first nn.MultiheadAttention without bias_k/'
                'add_zero_attn only')
        self.num_heads = mha.num_heads
        self.head_dim = mha.embed_dim // mha.num_heads
        self.in_proj_weight = mha.in_proj_weight
        self.in_proj_bias = mha.in_proj_bias
        self.out_proj = mha.out_proj

    def forward(self, query: Tensor, key: Tensor, value: Tensor, **kwargs):
        """``(L, B, E)`` query, ``(S, B, E)`` key/value -> ``(out, None)``."""
        for name in ('attn_mask', 'key_padding_mask'):
            if kwargs.get(name) is not None:
                raise ValueError(f'{name} is not supported for export')
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        if self.in_proj_bias is not None:
            b_q, b_k, b_v = self.in_proj_bias.chunk(3)
        else:
            b_q = b_k = b_v = None
        q = self._heads(F.linear(query, w_q, b_q))
        k = self._heads(F.linear(key, w_k, b_k))
        v = self._heads(F.linear(value, w_v, b_v))
        q = q * (1.0 / math.sqrt(self.head_dim))
        attn = torch.softmax(torch.matmul(q, k.transpose(-2, -1)), dim=-1)
        out = torch.matmul(attn, v)  # (B, heads, L, head_dim)
        out = out.permute(2, 0, 1, 3).flatten(2)
        return self.out_proj(out), None

    def _heads(self, x: Tensor) -> Tensor:
        """``(L, B, E)`` -> ``(B, heads, L, head_dim)``."""
        return x.unflatten(2, (self.num_heads, self.head_dim)).permute(
            1, 2, 0, 3)


def replace_multihead_attention(module: nn.Module) -> int:
    """Swap every ``nn.MultiheadAttention`` inside ``module`` for a
    :class:`TraceableMultiheadAttention` sharing its weights.

    Returns:
        int: The number of modules replaced.
    """
    count = 0
    for name, child in list(module.named_children()):
        if isinstance(child, nn.MultiheadAttention):
            setattr(module, name, TraceableMultiheadAttention(child))
            count += 1
        else:
            count += replace_multihead_attention(child)
    return count
