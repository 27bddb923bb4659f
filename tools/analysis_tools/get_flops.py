"""Count FLOPs and parameters of a single-image or paired segmentor.

Two FLOP counts come from one mmengine ``FlopAnalyzer`` run (a multiply-add
counts as one FLOP):

* ``full``: every operator mmengine's analyzer sees;
* ``paper``: the convention behind the CADNet paper's numbers, whose
  module-hook counter never saw the products and projections computed inside
  ``torch.nn.MultiheadAttention``; it is the full count minus the FLOPs of
  every ``nn.MultiheadAttention`` module.

Example::

    python tools/analysis_tools/get_flops.py \
        configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py --shape 512 512
"""
import argparse

import torch
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from mmdefect.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        '--shape', type=int, nargs=2, default=[512, 512],
        help='input height and width')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config')
    parser.add_argument(
        '--top', type=int, default=12, help='operators listed in the table')
    return parser.parse_args(argv)


def analyse(model: torch.nn.Module, height: int, width: int) -> dict:
    """FLOPs (full and paper convention), parameters and the per-operator
    breakdown of ``model`` on one ``(1, C, height, width)`` input."""
    channels = 2 * getattr(model, 'in_channels', 3) \
        if hasattr(model, 'split_inputs') else 3
    inputs = torch.randn(1, channels, height, width)
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    full = analyzer.total()
    by_module = analyzer.by_module()
    mha = sum(by_module[name] for name, module in model.named_modules()
              if isinstance(module, torch.nn.MultiheadAttention))
    return dict(
        full=full,
        paper=full - mha,
        params=parameter_count(model)[''],
        by_operator=dict(analyzer.by_operator()),
        input_shape=tuple(inputs.shape))


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        stats = analyse(model, *args.shape)
    print(f'config       {args.config}')
    print(f'input        {stats["input_shape"]}')
    print(f'params       {stats["params"] / 1e6:.3f} M')
    print(f'FLOPs full   {stats["full"] / 1e9:.3f} G')
    print(f'FLOPs paper  {stats["paper"] / 1e9:.3f} G '
          f'(without nn.MultiheadAttention internals)')
    print('per operator (G):')
    ops = sorted(stats['by_operator'].items(), key=lambda kv: -kv[1])
    for name, flops in ops[:args.top]:
        print(f'  {name:<24s}{flops / 1e9:8.3f}')


if __name__ == '__main__':
    main()
