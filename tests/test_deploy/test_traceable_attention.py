import pytest
import torch
import torch.nn as nn

from mmdefect.deploy.traceable_attention import (
    TraceableMultiheadAttention, replace_multihead_attention)


@pytest.mark.parametrize('bias', [True, False])
def test_equals_nn_multihead_attention(bias):
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(16, 4, bias=bias).eval()
    query, key = torch.randn(7, 2, 16), torch.randn(5, 2, 16)
    with torch.no_grad():
        expected = mha(query, key, key)[0]
        got, weights = TraceableMultiheadAttention(mha)(query, key, key)
    assert weights is None
    assert torch.allclose(got, expected, atol=1e-6)


def test_replace_shares_weights_and_rejects_unsupported():
    block = nn.Sequential(nn.Linear(4, 4), nn.MultiheadAttention(8, 2))
    mha = block[1]
    assert replace_multihead_attention(block) == 1
    assert isinstance(block[1], TraceableMultiheadAttention)
    assert block[1].in_proj_weight is mha.in_proj_weight
    with pytest.raises(ValueError, match='supports'):
        TraceableMultiheadAttention(nn.MultiheadAttention(8, 2, kdim=4))
    with pytest.raises(ValueError, match='attn_mask'):
        block[1](torch.randn(3, 1, 8), torch.randn(3, 1, 8),
                 torch.randn(3, 1, 8), attn_mask=torch.zeros(3, 3))
