default_scope = 'mmseg'
custom_imports = dict(imports=['mmdefect'], allow_failed_imports=False)
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='PairedSegLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
# tools/test.py --tta: MMSeg's SegTTAModel that also keeps the merged scores
tta_model = dict(type='DefectTTAModel')
# Resumed runs continue the random streams of the interrupted run.
custom_hooks = [dict(type='RNGStateHook')]
