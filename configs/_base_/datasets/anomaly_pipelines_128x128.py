# anomaly_pipelines.py at 128x128 for CPU runs: the same transforms (built
# there for both sizes), one loader worker.
_base_ = ['./anomaly_pipelines.py']
image_size = (128, 128)
train_pipeline = {{_base_.train_pipeline_128}}
test_pipeline = {{_base_.test_pipeline_128}}
train_dataloader = dict(num_workers=1, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
