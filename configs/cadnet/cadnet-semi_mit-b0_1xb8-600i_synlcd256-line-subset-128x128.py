# Label-fraction protocol (paper Table 6), CADNet-B0, change_att='semi': the
# abpt-trained model (load_from, set by tools/benchmarks/label_fraction.py
# or --cfg-options load_from=...) fine-tuned on a seeded subset of the line
# training pairs (subset_fraction: 10 % here, the script sets 5/10/15 %),
# tested on line defects. The script fine-tunes for --ft-iters (200)
# iterations instead of this file's 600.
_base_ = ['./cadnet-semi_mit-b0_1xb8-600i_synlcd256-line-128x128.py']
train_dataloader = dict(dataset=dict(subset_fraction=0.1, subset_seed=0))
load_from = None
