"""Loss functions. Each averages over the batch by default (``reduction="mean"``);
``"sum"`` adds up and ``"none"`` returns the per-sample (or per-element) losses.

Class targets (``cross_entropy``, ``nll_loss``) are integer class indices: an
int NumPy array, list or Tensor of shape ``(N,)``.
"""
import numpy as np

import autograd_core as ag

from ._util import as_tensor, check_reduction, first_out_of_range, reduce

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]


def _class_targets(target, n, num_classes, name, input_shape):
    """Validate class-index targets: an int array of shape (n,) with values in [0, C)."""
    t = target.data if isinstance(target, ag.Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must hold integer class indices, got dtype {t.dtype} "
                        f"(shape {t.shape}); for probabilities use binary_cross_entropy or "
                        "mse_loss")
    if t.shape != (n,):
        raise ValueError(f"{name}: target of shape {t.shape} does not match input of shape "
                         f"{input_shape}: expected target shape ({n},)")
    bad = first_out_of_range(t, num_classes)
    if bad is not None:
        raise ValueError(f"{name}: target {bad} is out of range for {num_classes} classes "
                         f"(input of shape {input_shape})")
    return t


def _class_weight(weight, c, name):
    if weight is None:
        return None
    w = weight.data if isinstance(weight, ag.Tensor) else np.asarray(weight)
    if w.shape != (c,):
        raise ValueError(f"{name}: weight must have shape ({c},) (one per class), got {w.shape}")
    return w


def nll_loss(log_probs, target, weight=None, reduction="mean"):
    """Negative log-likelihood: ``-log_probs[i, target[i]]``, from log-probabilities ``(N, C)``.

    ``weight`` (``(C,)``) rescales each class; with it, the mean divides by the
    sum of the targets' weights, as PyTorch.
    """
    return _nll(log_probs, target, weight, reduction, "nll_loss", 0.0)


def cross_entropy(logits, target, weight=None, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy from unnormalised ``logits`` ``(N, C)`` and class indices ``(N,)``.

    Computed as ``nll_loss(log_softmax(logits))``, so it is finite for any
    finite logits. ``label_smoothing`` in [0, 1] mixes the one-hot target with
    the uniform distribution, as PyTorch; ``weight`` rescales classes.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    logits = as_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    if weight is None and not label_smoothing:
        check_reduction(reduction, "cross_entropy")
        n, c = logits.shape
        t = _class_targets(target, n, c, "cross_entropy", logits.shape)
        return CrossEntropy.apply(logits, t, reduction)
    return _nll(ag.log_softmax(logits, axis=1), target, weight, reduction, "cross_entropy",
                label_smoothing)


class CrossEntropy(ag.Function):
    """Plain softmax cross-entropy as one op (the hot path of every classifier).

    Forward: log-softmax (max subtracted, so finite for any finite logits) and
    the target's entry. Backward: ``(softmax(logits) - onehot(target))`` times
    the incoming gradient (divided by N for the mean). When the backward is
    recorded it is composed from ``ag.softmax`` so that it differentiates again;
    otherwise it runs on the saved log-probabilities directly.
    """

    @staticmethod
    def forward(ctx, logits, target, reduction):
        x = logits.data
        shifted = x - x.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        ctx.save_for_backward(logits, target, logp)
        ctx.reduction = reduction
        loss = -logp[np.arange(len(target)), target]
        if reduction == "mean":
            return loss.mean()
        return loss.sum() if reduction == "sum" else loss

    @staticmethod
    def backward(ctx, g):
        logits, target, logp = ctx.saved_tensors
        n, c = logp.shape
        if ctx.reduction == "none":
            g = g.reshape(n, 1)
        elif ctx.reduction == "mean":
            g = g / n
        if ag.is_grad_enabled():                # recorded: differentiable composition
            onehot = np.zeros((n, c), dtype=logp.dtype)
            onehot[np.arange(n), target] = 1
            return (ag.softmax(logits, axis=1) - onehot) * g, None, None
        grad = np.exp(logp)
        grad[np.arange(n), target] -= 1
        return grad * g.data, None, None


def _nll(logp, target, weight, reduction, name, smoothing):
    check_reduction(reduction, name)
    logp = as_tensor(logp)
    if logp.ndim != 2:
        raise ValueError(f"{name}: input must have shape (N, C), got {logp.shape}")
    n, c = logp.shape
    t = _class_targets(target, n, c, name, logp.shape)
    w = _class_weight(weight, c, name)
    picked = -logp[np.arange(n), t]                              # (N,)
    if w is not None:
        wt = w[t].astype(logp.dtype)
        picked = picked * wt
    loss = picked
    if smoothing:
        # Each sample also pays smoothing/C times the (weighted) loss of every class.
        every = -(logp * w.astype(logp.dtype)) if w is not None else -logp
        loss = picked * (1.0 - smoothing) + every.sum(axis=1) * (smoothing / c)
    if reduction == "mean" and w is not None:
        return loss.sum() / wt.sum()
    return reduce(loss, reduction, name)


def mse_loss(input, target, reduction="mean"):
    """Mean squared error ``(input - target)**2``; input and target must have the same shape."""
    input, target = _elementwise_pair(input, target, reduction, "mse_loss")
    d = input - target
    return reduce(d * d, reduction, "mse_loss")


class BinaryCrossEntropy(ag.Function):
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100, as PyTorch.

    The gradient is PyTorch's, (p - y) / max(p (1 - p), 1e-12), finite even at p
    = 0 or 1 (where the clamped log's own derivative would be 0/0).
    """

    @staticmethod
    def forward(ctx, p, y):
        ctx.save_for_backward(p, y)
        pd, yd = p.data, y.data
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(pd), -100)
            log_1mp = np.maximum(np.log1p(-pd), -100)
        return (-(yd * log_p + (1 - yd) * log_1mp)).astype(pd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved_tensors
        gp = gy = None
        if ctx.needs_input_grad[0]:
            gp = g * (p - y) / ag.maximum(p * (1 - p), 1e-12)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):          # log(0) = -inf, clamped to -100
                gy = g * (ag.clip(ag.log(1 - p), -100, None) - ag.clip(ag.log(p), -100, None))
        return gp, gy


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy from probabilities ``input`` in [0, 1] and targets of the same shape.

    Logs are clamped at -100, as PyTorch, so p = 0 or 1 gives a finite loss.
    Prefer ``binary_cross_entropy_with_logits`` on raw scores: it is stabler.
    """
    input, target = _elementwise_pair(input, target, reduction, "binary_cross_entropy")
    if input.size and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] "
                         f"(got values from {input.data.min()} to {input.data.max()}); "
                         "for raw scores use binary_cross_entropy_with_logits")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * as_tensor(weight, dtype=input.dtype)
    return reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    ``loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus(-x)``, which is
    ``softplus(x) - x * y`` without ``pos_weight``: finite (with finite
    gradients) for logits as large as 1e4. ``pos_weight`` (broadcast over the
    last axis) weights the positive examples, as PyTorch.
    """
    input, target = _elementwise_pair(input, target, reduction,
                                      "binary_cross_entropy_with_logits")
    if pos_weight is None:
        loss = ag.softplus(input) - input * target
    else:
        log_weight = (as_tensor(pos_weight, dtype=input.dtype) - 1) * target + 1
        loss = (1 - target) * input + log_weight * ag.softplus(-input)
    if weight is not None:
        loss = loss * as_tensor(weight, dtype=input.dtype)
    return reduce(loss, reduction, "binary_cross_entropy_with_logits")


def _elementwise_pair(input, target, reduction, name):
    """Check ``reduction``; return ``input`` and ``target`` as Tensors of one shape
    (array targets take the input's dtype)."""
    check_reduction(reduction, name)
    input = as_tensor(input)
    target = as_tensor(target, dtype=input.dtype)
    if input.shape != target.shape:
        raise ValueError(f"{name}: input of shape {input.shape} and target of shape "
                         f"{target.shape} differ; they must have the same shape (reshape "
                         "one of them: broadcasting them is almost always a bug)")
    return input, target
