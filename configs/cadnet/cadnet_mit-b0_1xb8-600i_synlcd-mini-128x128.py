# CPU-sized CADNet-B0 for the quickstart: 128x128 SynLCD-mini, batch 8,
# 600 iterations, BN instead of SyncBN, encoder trained from scratch (no
# download), 64 decoder channels (the CPU recipe: ../_base_/models/
# mit-b0_cpu.py and ../_base_/datasets/synlcd_mini.py).
_base_ = [
    '../_base_/models/cadnet_mit-b0.py', '../_base_/datasets/synlcd_mini.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_600i-cpu.py'
]
model = {{_base_.cpu_model}}
randomness = dict(seed=0)
