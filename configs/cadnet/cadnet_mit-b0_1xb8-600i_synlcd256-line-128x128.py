# CADNet-B0 trained on line defects only, CPU-sized (cross tests, paper
# Fig. 6, "LL"; configs/cadnet/README.md): 256x256 SynLCD line set,
# class-agnostic labels, 128x128 crops, batch 8, 600 iterations, encoder
# from scratch. The *_test-abpt variant tests it on abnormal points ("LA").
_base_ = [
    '../_base_/models/cadnet_mit-b0.py',
    '../_base_/datasets/synlcd256_cross_cpu.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_600i-cpu.py'
]
model = {{_base_.cpu_model}}
randomness = dict(seed=0)
