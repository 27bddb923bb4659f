# CPU-sized Siamese-diff baseline on DeepPCB: the data, budget and schedule
# of configs/cadnet/cadnet_mit-b0_1xb4-1k_deeppcb-256x256.py.
_base_ = [
    '../_base_/models/siamese-diff_mit-b0.py',
    '../_base_/datasets/deeppcb_cpu.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_1k-cpu.py'
]
model = {{_base_.cpu_model}}
randomness = dict(seed=0)
