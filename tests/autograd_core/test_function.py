"""Custom operations with ag.Function."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


class Square(ag.Function):
    """x**2 with a backward written in Tensor ops (so it supports higher order)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x


class ExpNumpy(ag.Function):
    """forward returns an ndarray; saves the output."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x.data)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.data * ctx.out


class PowConst(ag.Function):
    """x ** p with a non-tensor exponent p."""

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * ctx.p * x ** (ctx.p - 1), None


class MulFirstOnly(ag.Function):
    """x * y, but only ever gives a gradient to x."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(y)
        return x * y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y, None


def test_custom_function_values_and_grad():
    v = np.array([1.0, -2.0, 3.0])
    x = leaf(v)
    y = Square.apply(x)
    assert isinstance(y, Tensor)
    np.testing.assert_allclose(y.data, v**2)
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn is not None
    assert "square" in y.grad_fn.name.lower()
    (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * v)


def test_custom_function_combined_with_builtins():
    v = np.array([0.5, 2.0])
    x = leaf(v)
    (Square.apply(x.sin()) + x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.sin(v) * np.cos(v) + 1)


def test_forward_gets_tensors_and_runs_with_recording_off():
    seen = {}

    class Probe(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["types"] = (type(x), type(y))
            seen["inputs_require_grad"] = (x.requires_grad, y.requires_grad)
            z = x * y
            seen["inner"] = (z.requires_grad, z.grad_fn)
            ctx.save_for_backward(x, y)
            return z

        @staticmethod
        def backward(ctx, grad_output):
            seen["grad_type"] = type(grad_output)
            x, y = ctx.saved_tensors
            return grad_output * y, grad_output * x

    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    out = Probe.apply(x, y)
    assert issubclass(seen["types"][0], Tensor) and issubclass(seen["types"][1], Tensor)
    assert seen["inputs_require_grad"] == (True, True)
    assert seen["inner"] == (False, None)
    out.sum().backward()
    assert issubclass(seen["grad_type"], Tensor)
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])
    np.testing.assert_allclose(y.grad.data, [1.0, 2.0])


def test_forward_may_return_ndarray_and_backward_ndarray():
    v = np.array([0.0, 1.0])
    x = leaf(v)
    y = ExpNumpy.apply(x)
    assert isinstance(y, Tensor) and y.requires_grad and y.grad_fn is not None
    np.testing.assert_allclose(y.data, np.exp(v))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(v))


def test_non_tensor_argument():
    v = np.array([1.0, 2.0])
    x = leaf(v)
    y = PowConst.apply(x, 3.0)
    np.testing.assert_allclose(y.data, v**3)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * v**2)


def test_backward_returning_none_for_an_input():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    MulFirstOnly.apply(x, y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])
    assert y.grad is None or np.all(y.grad.data == 0)


def test_only_inputs_requiring_grad_get_grads():
    x, c = leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))

    class Mul(ag.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    Mul.apply(x, c).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])
    assert c.grad is None


def test_output_needs_no_grad_when_no_input_does():
    y = Square.apply(Tensor(np.array([2.0])))
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_allclose(y.data, [4.0])


def test_ctx_attributes_reach_backward():
    class Scale(ag.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = leaf([1.0, 2.0])
    Scale.apply(x, 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])


def test_custom_function_keeps_float32():
    x = leaf([1.0, 2.0], dtype=np.float32)
    y = Square.apply(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_second_order_through_tensor_backward():
    v = np.array([1.5, -0.5])
    x = leaf(v)
    (Square.apply(x) * x).sum().backward(create_graph=True)   # x^3
    g = x.grad
    np.testing.assert_allclose(g.data, 3 * v**2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * v)


def test_gradcheck_and_gradgradcheck_of_custom_op():
    rng = np.random.default_rng(0)
    x = leaf(rng.normal(size=(3, 2)))
    assert ag.gradcheck(Square.apply, (x,))
    assert ag.gradgradcheck(Square.apply, (x,))
    assert ag.gradcheck(lambda t: PowConst.apply(t, 3.0), (leaf(rng.uniform(0.5, 2, 4)),))


def test_saved_tensors_after_freed_backward_raises():
    ctxs = []

    class Keep(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctxs.append(ctx)
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = leaf([1.0, 2.0])
    y = Keep.apply(x).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        ctxs[0].saved_tensors
    with pytest.raises(RuntimeError):
        y.backward()


def test_retain_graph_with_custom_function():
    x = leaf([1.0, 2.0])
    y = Square.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])


def test_wrong_number_of_gradients_raises():
    class TooMany(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    class TooFew(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return (g,)

    x, y = leaf([1.0]), leaf([2.0])
    for out in (TooMany.apply(x), TooFew.apply(x, y)):
        with pytest.raises((RuntimeError, TypeError, ValueError)) as info:
            out.sum().backward()
        msg = str(info.value).lower()
        assert "grad" in msg, msg


def test_gradient_of_wrong_shape_raises():
    class BadShape(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return np.ones(2)

    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises((RuntimeError, ValueError)):
        BadShape.apply(x).sum().backward()


def test_function_inside_no_grad_records_nothing():
    called = []

    class Tracked(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, g):
            called.append(1)
            return g * 3

    x = leaf([1.0, 2.0])
    with ag.no_grad():
        y = Tracked.apply(x)
    np.testing.assert_allclose(y.data, [3.0, 6.0])
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    with pytest.raises(RuntimeError):
        y.sum().backward()
    assert called == []


def test_op_error_names_op_shapes_and_dtypes():
    with pytest.raises(TypeError) as info:
        ag.tensor([True]) - ag.tensor([True])
    msg = str(info.value)
    assert msg.startswith("sub:") and "(1,) bool, (1,) bool" in msg
    with pytest.raises(ValueError, match=r"matmul: .*\(2, 3\) float32, \(2, 3\) float64"):
        ag.ones(2, 3) @ ag.ones(2, 3, dtype=np.float64)


def test_hook_handles_made_in_threads_never_share_a_key():
    import threading
    x = ag.tensor([1.0], requires_grad=True)
    handles = []

    def register():
        for _ in range(2000):
            handles.append(x.register_hook(lambda g: None))

    threads = [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({h._key for h in handles}) == len(handles) == 8000
    assert len(x._extra["hooks"]) == 8000
