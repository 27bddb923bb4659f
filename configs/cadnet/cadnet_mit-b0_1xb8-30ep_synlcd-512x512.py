# CADNet-B0 on SynLCD with the paper's settings: 512x512, batch 8
# (train_dataloader.batch_size is per GPU: 8 on one GPU, or 4 x 2 GPUs),
# 30 epochs. Start:
#   python tools/train.py configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py
# (data root: --cfg-options train_dataloader.dataset.data_root=... etc.).
_base_ = [
    '../_base_/models/cadnet_mit-b0.py', '../_base_/datasets/synlcd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_30ep.py'
]
randomness = dict(seed=0)
