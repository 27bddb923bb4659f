# CPU-sized CADNet-B0 on DeepPCB: encoder from scratch (no download), BN,
# 64 decoder channels, 256x256 crops, batch 4, 1,000 iterations (the CPU
# recipe: ../_base_/models/mit-b0_cpu.py and
# ../_base_/datasets/deeppcb_cpu.py; tools/benchmarks/deeppcb.py reports it
# against the baselines).
_base_ = [
    '../_base_/models/cadnet_mit-b0.py', '../_base_/datasets/deeppcb_cpu.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_1k-cpu.py'
]
model = {{_base_.cpu_model}}
randomness = dict(seed=0)
