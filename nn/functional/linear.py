"""``linear``: the affine map of a fully connected layer."""
import autograd_core as ag

from ._util import as_tensor

__all__ = ["linear"]


class Linear(ag.Function):
    """x @ W.T + b as one op, with W shaped (out_features, in_features).

    Composing it from ``matmul`` and a transpose works too, but then the
    weight's gradient arrives as a transposed view of ``x.T @ g`` and has to
    be copied into ``W.grad``; computing ``g.T @ x`` directly gives it in W's
    own layout. When the backward pass is recorded (``create_graph=True``) it
    is computed with Tensor ops, so it differentiates; otherwise the same
    products run on the arrays directly, skipping the Tensor wrappers (the
    hot path of every training step).
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = x.data @ weight.data.T
        if bias is not None:
            if bias.dtype == out.dtype:
                out += bias.data        # out is a fresh array: add in place
            else:
                out = out + bias.data   # mixed dtypes promote as NumPy does
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        if not ag.is_grad_enabled():          # not recorded: plain arrays, same formulas
            g, x, weight = g.data, x.data, weight.data
        # Leading axes of x are a batch: fold them into one for the weight gradient.
        g2 = g.reshape(-1, g.shape[-1])
        gx = g @ weight if need_x else None
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if need_w else None
        gb = g2.sum(axis=0) if need_b else None
        return gx, gw, gb


def linear(x, weight, bias=None):
    """``x @ weight.T + bias``, with ``weight`` shaped ``(out_features, in_features)``.

    ``x`` has shape ``(..., in_features)``; the result ``(..., out_features)``.
    Non-Tensor ``x`` becomes a constant of the weight's dtype.
    """
    x = as_tensor(x, dtype=weight.dtype)
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                         f"{weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not fit weight of shape "
                         f"{weight.shape}: the input's last axis must have "
                         f"in_features={weight.shape[1]} elements")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got "
                         f"{bias.shape}")
    return Linear.apply(x, weight, bias)
