"""Optimizer constructor that keeps frozen branches out of the optimizer."""
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SiameseOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` that gives frozen parameters
    (``requires_grad=False``, e.g. a ``frozen=True`` reference encoder) no
    place in the optimizer, with or without ``paramwise_cfg``.

    A ``paramwise_cfg.custom_keys`` entry that matches only frozen parameters
    is a configuration mistake (the config tunes a branch it also freezes);
    it raises a ``ValueError`` naming the key instead of being ignored.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        module = model.module if hasattr(model, 'module') else model
        named = list(module.named_parameters())
        frozen = {name for name, param in named if not param.requires_grad}
        for key in self.paramwise_cfg.get('custom_keys', {}):
            hits = [name for name, _ in named if key in name]
            if hits and all(name in frozen for name in hits):
                raise ValueError(
                    f'optim_wrapper.paramwise_cfg.custom_keys[{key!r}] only '
                    f'matches frozen parameters (e.g. {hits[0]!r}); remove '
                    f'the key or unfreeze that branch in the model config.')
        if self.paramwise_cfg:
            return super().__call__(model)
        trainable = [param for _, param in named if param.requires_grad]
        holder = nn.Module()
        holder.params = nn.ParameterList(trainable)
        return super().__call__(holder)
