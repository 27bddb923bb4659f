# Siamese-diff MiT-B0 (SegFormer head on |f_img - f_ref|) trained on line
# defects only, CPU-sized (cross tests, paper Fig. 6, "LL";
# configs/cadnet/README.md): same data, budget and schedule as
# configs/cadnet/cadnet_mit-b0_1xb8-600i_synlcd256-line-128x128.py. The
# *_test-abpt variant tests it on abnormal points ("LA").
_base_ = [
    '../_base_/models/siamese-diff_mit-b0.py',
    '../_base_/datasets/synlcd256_cross_cpu.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_600i-cpu.py'
]
model = {{_base_.cpu_model}}
randomness = dict(seed=0)
