"""Refuse a loaded checkpoint that does not fit the model."""
from typing import Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from ..checkpoint_match import check_state_dict_matches


@HOOKS.register_module()
class CheckpointMatchHook(Hook):
    """Check every checkpoint the runner loads against its model.

    mmengine's runner loads ``load_from`` with ``strict=False``, so a
    checkpoint of another model is evaluated half random with only a log
    warning.  This hook runs :func:`~mmdefect.engine.checkpoint_match.
    check_state_dict_matches` in ``after_load_checkpoint`` (before the
    weights are copied) and stops the run naming the first missing,
    unexpected and shape-mismatched keys.

    ``tools/test.py`` adds it (``--allow-mismatched-checkpoint`` makes it
    warn instead).  Under MMSeg's own ``tools/test.py`` add
    ``custom_hooks = [dict(type='CheckpointMatchHook')]`` to the config.
    It does not belong in training configs that fine-tune from another
    model's weights.

    Args:
        strict (bool): Raise on a mismatch (default) or only warn.
        filename (str, optional): The checkpoint's name in messages;
            defaults to the config's ``load_from``.
        hint (str, optional): How to relax the check, for the message.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 strict: bool = True,
                 filename: Optional[str] = None,
                 hint: Optional[str] = None):
        self.strict = strict
        self.filename = filename
        self.hint = hint or (
            'set strict=False in the CheckpointMatchHook of custom_hooks')

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Compare ``checkpoint`` with ``runner.model``."""
        filename = self.filename or runner.cfg.get('load_from')
        check_state_dict_matches(
            runner.model,
            checkpoint,
            filename=filename,
            strict=self.strict,
            hint=self.hint)
