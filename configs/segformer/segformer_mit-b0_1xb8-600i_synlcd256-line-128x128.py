# SegFormer-B0 (inspected image only) trained on line defects, same data,
# budget and schedule as
# configs/cadnet/cadnet_mit-b0_1xb8-600i_synlcd256-line-128x128.py (cross
# tests, paper Fig. 6, "LL"; *_test-abpt gives "LA").
_base_ = [
    '../_base_/models/segformer_mit-b0.py',
    '../_base_/datasets/synlcd256_cross_cpu.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_600i-cpu.py'
]
model = {{_base_.cpu_model}}
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.single_train_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.single_test_pipeline}}))
test_dataloader = val_dataloader
optim_wrapper = dict(constructor='DefaultOptimWrapperConstructor')
randomness = dict(seed=0)
