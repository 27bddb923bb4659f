# CPU settings of the MiT-B0 models, shared by every CPU config: encoder
# trained from scratch (no download offline), no drop path, BN instead of
# SyncBN, 64 decoder channels. A CPU data set base inherits this file and
# adds its own part of ``cpu_model`` (input size, classes, class weights);
# a config applies the result with ``model = {{_base_.cpu_model}}`` (a
# variable, since mmengine refuses two bases that both define ``model``).
cpu_model = dict(
    backbone=dict(init_cfg=None, drop_path_rate=0.0),
    decode_head=dict(
        channels=64, norm_cfg=dict(type='BN', requires_grad=True)))
