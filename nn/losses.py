"""Loss modules: ``CrossEntropyLoss NLLLoss MSELoss BCELoss BCEWithLogitsLoss``.

Each wraps the function of the same name in ``nn.functional`` and is called as
``loss_fn(input, target)``. A class ``weight`` or ``pos_weight`` is a buffer, so
it appears in ``state_dict()`` as in PyTorch.
"""
from . import functional as F
from .functional._util import check_reduction
from .module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits ``(N, C)`` against class indices ``(N,)``."""

    def __init__(self, weight=None, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.weight, self.reduction,
                               self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities ``(N, C)`` (e.g. from ``LogSoftmax``)."""

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, self.reduction)


class MSELoss(_Loss):
    """Mean squared error between tensors of the same shape."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at -100)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of raw logits, computed stably; ``pos_weight`` weights positives."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)
