"""The backward pass: seeds, accumulation, graph freeing, higher order, hooks, memory."""
import gc
import time
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import Tensor


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape`` (reference for broadcasting gradients)."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


def nonleaf_grad(t):
    """Read ``.grad`` of a non-leaf, ignoring a PyTorch-style access warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return t.grad


# --------------------------------------------------------------------------- #
# Seeds and errors
# --------------------------------------------------------------------------- #

def test_scalar_output_default_gradient_is_one():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0, 6.0])
    assert isinstance(x.grad, Tensor)
    assert x.grad.shape == x.shape and x.grad.dtype == x.dtype
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_backward_on_0d():
    x = leaf(3.0)
    y = x * x * 2
    y.backward()
    assert x.grad.shape == ()
    np.testing.assert_allclose(x.grad.data, 12.0)


def test_backward_on_a_leaf_itself():
    x = leaf(3.0)
    x.backward()
    np.testing.assert_allclose(x.grad.data, 1.0)


def test_non_scalar_without_gradient_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError):
        (x * 2).backward()


@pytest.mark.parametrize("as_tensor", [False, True])
def test_explicit_gradient(as_tensor):
    x = leaf([1.0, 2.0, 3.0])
    g = np.array([1.0, -1.0, 0.5])
    (x * 2).backward(Tensor(g) if as_tensor else g)
    np.testing.assert_allclose(x.grad.data, 2 * g)


def test_gradient_of_wrong_shape_raises():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises((RuntimeError, ValueError)):
        (x * 2).backward(np.ones(4))
    with pytest.raises((RuntimeError, ValueError)):
        (x * 2).backward(np.ones((3, 1)))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        (Tensor(2.0) * 3).backward()


# --------------------------------------------------------------------------- #
# Accumulation and freeing
# --------------------------------------------------------------------------- #

def test_gradients_accumulate_and_reset():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_second_backward_through_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert "retain_graph" in str(info.value)


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])
    with pytest.raises(RuntimeError):
        y.backward()


def test_part_of_graph_freed_blocks_other_output():
    # two outputs share a graph: freeing through one blocks the shared part
    x = leaf([1.0, 2.0])
    a = (x * x).exp()
    y1, y2 = a.sum(), (a * 2).sum()
    y1.backward()
    with pytest.raises(RuntimeError):
        y2.backward()


# --------------------------------------------------------------------------- #
# Higher order
# --------------------------------------------------------------------------- #

def test_create_graph_second_and_third_derivative():
    x = leaf(2.0)
    (x ** 3).backward(create_graph=True)
    g1 = x.grad
    assert g1.requires_grad
    np.testing.assert_allclose(g1.data, 12.0)       # 3x^2
    x.grad = None
    g1.backward(create_graph=True)
    g2 = x.grad
    np.testing.assert_allclose(g2.data, 12.0)       # 6x
    x.grad = None
    g2.backward()
    np.testing.assert_allclose(x.grad.data, 6.0)    # 6


def test_any_order():
    x = leaf(1.5)
    y = x ** 5
    expected = [5 * 1.5**4, 20 * 1.5**3, 60 * 1.5**2, 120 * 1.5, 120.0]
    for k, e in enumerate(expected):
        y.backward(create_graph=True)
        y = x.grad
        x.grad = None
        np.testing.assert_allclose(y.data, e, err_msg=f"order {k + 1}")


def test_sin_chain_second_derivative():
    v = np.array([0.3, -1.2, 2.0])
    x = leaf(v)
    x.sin().sin().sum().backward(create_graph=True)
    g = x.grad
    np.testing.assert_allclose(g.data, np.cos(np.sin(v)) * np.cos(v))
    x.grad = None
    g.sum().backward()
    d2 = -np.sin(np.sin(v)) * np.cos(v) ** 2 - np.cos(np.sin(v)) * np.sin(v)
    np.testing.assert_allclose(x.grad.data, d2)


def test_create_graph_keeps_leaf_dtypes():
    x32 = leaf([1.0, 2.0], dtype=np.float32)
    y64 = leaf([3.0, 4.0])
    ((x32 * y64) ** 2).sum().backward(create_graph=True)
    g = x32.grad                      # 2 x y^2, float32 like x32
    assert g.dtype == np.float32 and g.requires_grad
    np.testing.assert_allclose(g.data, [18.0, 64.0])
    x32.grad = None
    y64.grad = None
    g.sum().backward()
    assert x32.grad.dtype == np.float32 and y64.grad.dtype == np.float64
    np.testing.assert_allclose(x32.grad.data, [18.0, 32.0])   # 2 y^2
    np.testing.assert_allclose(y64.grad.data, [12.0, 32.0])   # 4 x y


def test_mixed_partial_via_create_graph():
    x, y = leaf(2.0), leaf(3.0)
    (x * y * y).backward(create_graph=True)
    gx = x.grad                         # y^2
    np.testing.assert_allclose(gx.data, 9.0)
    x.grad = None
    y.grad = None
    gx.backward()
    np.testing.assert_allclose(y.grad.data, 6.0)   # d(y^2)/dy


# --------------------------------------------------------------------------- #
# Graph shapes
# --------------------------------------------------------------------------- #

def test_value_used_many_times():
    v = np.array([0.5, -2.0])
    x = leaf(v)
    (x * x * x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 4 * v**3)
    x = leaf(v)
    y = x
    for _ in range(9):
        y = y + x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [10.0, 10.0])


def test_diamond():
    v = np.array([1.0, -3.0])
    x = leaf(v)
    a = x * 2
    b = x * 3
    (a * b).sum().backward()
    np.testing.assert_allclose(x.grad.data, 12 * v)


def test_leaf_reached_by_two_paths_of_different_depth():
    v = np.array([0.1, 0.7])
    x = leaf(v)
    (x.exp().exp() * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(np.exp(v)) * (np.exp(v) * v + 1))


def test_detach_and_constants_stop_gradient():
    x = leaf([1.0, 2.0])
    c = Tensor([3.0, 4.0])
    (x * x.detach() * c).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 8.0])
    assert c.grad is None


@pytest.mark.parametrize("sa,sb", [((3, 1), (4,)), ((2, 1, 3), (4, 1)), ((), (2, 3)), ((1,), (5,))])
def test_broadcasting_gradients(sa, sb):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=sa), rng.normal(size=sb)
    a, b = leaf(A), leaf(B)
    (a * b).sum().backward()
    out_shape = np.broadcast_shapes(sa, sb)
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_allclose(a.grad.data, unbroadcast(np.broadcast_to(B, out_shape), sa))
    np.testing.assert_allclose(b.grad.data, unbroadcast(np.broadcast_to(A, out_shape), sb))


@settings(deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div"]), seed=st.integers(0, 2**32 - 1))
def test_broadcasting_gradients_property(shapes, op, seed):
    sa, sb = shapes.input_shapes
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.5, 2.0, size=sa)
    B = rng.uniform(0.5, 2.0, size=sb)
    G = rng.normal(size=shapes.result_shape)
    a, b = leaf(A), leaf(B)
    out = {"add": lambda: a + b, "sub": lambda: a - b,
           "mul": lambda: a * b, "div": lambda: a / b}[op]()
    assert out.shape == shapes.result_shape
    out.backward(G)
    da, db = {"add": (1.0, 1.0), "sub": (1.0, -1.0), "mul": (B, A),
              "div": (1 / B, -A / B**2)}[op]
    ga = unbroadcast(np.broadcast_to(G * da, shapes.result_shape), sa)
    gb = unbroadcast(np.broadcast_to(G * db, shapes.result_shape), sb)
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_allclose(a.grad.data, ga, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.data, gb, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- #
# retain_grad and hooks
# --------------------------------------------------------------------------- #

def test_retain_grad_on_non_leaf():
    x = leaf([1.0, 2.0])
    a = x * 2
    b = x * 3
    a.retain_grad()
    (a * a + b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [4.0, 8.0])
    assert nonleaf_grad(b) is None


def test_hook_on_leaf_receives_total_gradient_once():
    x = leaf([1.0, 2.0])
    calls = []
    x.register_hook(lambda g: calls.append(g.data.copy()))
    (x * 2 + x * 3).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], [5.0, 5.0])
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])
    # the hook sees this backward's gradient, not the accumulated .grad
    (x * 2 + x * 3).sum().backward()
    np.testing.assert_allclose(calls[1], [5.0, 5.0])
    np.testing.assert_allclose(x.grad.data, [10.0, 10.0])


def test_hook_on_non_leaf_receives_total_gradient_once():
    x = leaf([1.0, 2.0])
    a = x * 2
    calls = []
    a.register_hook(lambda g: calls.append(g))
    (a * 3 + a * 4).sum().backward()
    assert len(calls) == 1
    assert isinstance(calls[0], Tensor)
    np.testing.assert_allclose(calls[0].data, [7.0, 7.0])
    np.testing.assert_allclose(x.grad.data, [14.0, 14.0])


def test_hook_return_value_replaces_gradient():
    x = leaf([1.0, 2.0])
    a = x * 2
    a.register_hook(lambda g: g * 0)
    (a * a).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0])

    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [20.0, 40.0])


def test_hook_returning_none_keeps_gradient():
    x = leaf([1.0, 2.0])
    a = x * 2
    a.register_hook(lambda g: None)
    (a * a).sum().backward()
    np.testing.assert_allclose(x.grad.data, [8.0, 16.0])


def test_hooks_run_in_registration_order_and_chain():
    x = leaf([1.0])
    a = x * 1
    order = []

    def h1(g):
        order.append(1)
        return g * 2

    def h2(g):
        order.append(2)
        np.testing.assert_allclose(g.data, [2.0])   # sees h1's result
        return g + 1

    a.register_hook(h1)
    a.register_hook(h2)
    a.sum().backward()
    assert order == [1, 2]
    np.testing.assert_allclose(x.grad.data, [3.0])


def test_hook_handle_remove():
    x = leaf([1.0])
    calls = []
    h = x.register_hook(lambda g: calls.append(1))
    (x * 2).sum().backward()
    h.remove()
    (x * 2).sum().backward()
    assert calls == [1]

    a = x * 2
    h = a.register_hook(lambda g: g * 100)
    h.remove()
    x.grad = None
    a.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0])


# --------------------------------------------------------------------------- #
# Gradient arrays are owned by their leaves
# --------------------------------------------------------------------------- #

def test_leaf_grads_are_independent_writeable_arrays():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x + y).sum().backward()
    assert x.grad.data.flags.writeable and y.grad.data.flags.writeable
    x.grad.data[...] = 99.0
    np.testing.assert_allclose(y.grad.data, [1.0, 1.0])


def test_grad_from_sum_broadcast_is_writeable():
    x = leaf(np.zeros((2, 3)))
    x.sum().backward()
    assert x.grad.data.flags.writeable
    x.grad.data += 1.0
    np.testing.assert_allclose(x.grad.data, 2.0)


def test_grad_does_not_alias_user_gradient():
    x = leaf([1.0, 2.0])
    g = np.ones(2)
    (x + 0.0).backward(g)
    x.grad.data[...] = 5.0
    (x + 0.0).backward(g)   # accumulates into x.grad
    np.testing.assert_array_equal(g, [1.0, 1.0])
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])


def test_grad_does_not_alias_other_tensor_data():
    x = leaf([1.0, 2.0])
    w = Tensor([5.0, 6.0])
    (x * w).sum().backward()
    x.grad.data[...] = 0.0
    np.testing.assert_array_equal(w.data, [5.0, 6.0])


# --------------------------------------------------------------------------- #
# Deep graphs
# --------------------------------------------------------------------------- #

# SLOW: the one slow test of this file. A chain of 1,000,000 ops must
# backpropagate (and be freed) without RecursionError or stack overflow;
# it should take a few seconds at most.
def test_million_op_chain():
    x = Tensor(np.array(1.0), requires_grad=True)   # 0-d float64 leaf
    assert x.dtype == np.float64 and x.shape == ()
    t0 = time.perf_counter()
    y = x
    for _ in range(1_000_000):
        y = y + 0.0
    y.backward()
    elapsed = time.perf_counter() - t0
    assert x.grad.item() == 1.0
    del y   # freeing the chain must not overflow the C stack either
    assert elapsed < 60, f"1e6-op chain took {elapsed:.1f}s"


# --------------------------------------------------------------------------- #
# Memory release
# --------------------------------------------------------------------------- #

@pytest.fixture
def no_cyclic_gc():
    """Run with the cyclic GC off: anything freed must be freed by refcounting."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_backward_frees_saved_intermediates(no_cyclic_gc):
    v = np.linspace(0.0, 1.0, 100)
    x = leaf(v)
    a = x.exp()
    ref = weakref.ref(a.data)
    y = (a * a).sum()
    del a
    assert ref() is not None            # the graph holds it for backward
    y.backward()                        # y itself stays alive
    assert ref() is None, "backward without retain_graph kept a saved array alive"
    np.testing.assert_allclose(x.grad.data, 2 * np.exp(2 * v))


def test_retain_graph_keeps_saved_intermediates(no_cyclic_gc):
    x = leaf(np.linspace(0.0, 1.0, 10))
    a = x.exp()
    ref = weakref.ref(a.data)
    y = (a * a).sum()
    del a
    y.backward(retain_graph=True)
    assert ref() is not None
    y.backward()
    assert ref() is None


def _weakrefs(*objs):
    refs = []
    for o in objs:
        try:
            refs.append(weakref.ref(o))
        except TypeError:   # an object without __weakref__ is not checked
            pass
    return refs


def test_dropping_output_frees_graph_without_cyclic_gc(no_cyclic_gc):
    x = leaf(np.linspace(0.0, 1.0, 50))
    a = x.exp()
    b = a.sin()
    y = (a * b).sum()
    refs = _weakrefs(a.data, b.data, y.data, a, b, y, a.grad_fn, b.grad_fn, y.grad_fn)
    assert len(refs) >= 3
    del a, b, y
    alive = [r() for r in refs if r() is not None]
    assert not alive, f"still alive without the cyclic GC: {[type(o) for o in alive]}"


def test_graph_after_backward_freed_without_cyclic_gc(no_cyclic_gc):
    x = leaf(np.linspace(0.0, 1.0, 50))
    a = x.exp()
    a.retain_grad()
    y = (a * a.sin()).sum()
    y.backward()
    refs = _weakrefs(a.data, a, y, y.grad_fn, a.grad_fn)
    del a, y
    assert all(r() is None for r in refs)
    assert x.grad.grad_fn is None


def test_tracemalloc_big_intermediate_returned_after_backward():
    x = leaf(np.full(1_000_000, 0.5))        # 8 MB leaf, allocated before tracing
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        a = x.exp()                          # 8 MB intermediate
        y = (a * a).sum()
        del a
        held = tracemalloc.get_traced_memory()[0] - base
        assert held >= 7_900_000, held       # the graph holds the intermediate
        y.backward()
        x.grad = None                        # drop the 8 MB gradient itself
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert after < 1_000_000, f"{after} bytes still held after backward (was {held})"
    assert y.item() == pytest.approx(1_000_000 * np.e)


# --------------------------------------------------------------------------- #
# Hooks may change values only; accumulation is atomic; .grad of non-leaves
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("on_leaf", [True, False])
def test_hook_changing_the_shape_raises(on_leaf):
    x = leaf([1.0, 2.0, 3.0])
    t = x if on_leaf else x * 2
    t.register_hook(lambda g: Tensor(np.ones(7)))
    with pytest.raises(RuntimeError, match=r"hook .* changed the shape .*\(3,\) to \(7,\)"):
        (t * t).sum().backward()
    assert x.grad is None


@pytest.mark.parametrize("on_leaf", [True, False])
def test_hook_changing_the_dtype_raises(on_leaf):
    x = leaf([1.0, 2.0, 3.0])
    t = x if on_leaf else x * 2
    t.register_hook(lambda g: g.astype(np.float32))
    with pytest.raises(RuntimeError, match="changed the dtype .*float64 to float32"):
        t.sum().backward()


def test_hook_returning_an_array_of_the_same_shape_is_used():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: np.full(2, 5.0))
    x.sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])


def test_concurrent_backwards_into_a_shared_leaf_lose_no_update():
    import sys
    import threading
    w = leaf([1.0])
    n_threads, n_steps = 8, 300

    def work():
        for _ in range(n_steps):
            (w * 2.0).sum().backward()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)     # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work) for _ in range(n_threads)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    assert w.grad.item() == 2.0 * n_threads * n_steps


def test_reading_grad_of_a_non_leaf_warns():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf.*retain_grad"):
        assert y.grad is None


def test_reading_grad_of_leaves_and_retained_tensors_is_quiet():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is not None and y.grad is not None
        assert Tensor([1.0]).grad is None


def test_assigning_a_grad_of_the_wrong_shape_or_dtype_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="shape"):
        x.grad = Tensor(np.zeros(3))
    with pytest.raises(RuntimeError, match="dtype"):
        x.grad = Tensor(np.zeros(2, dtype=np.float32))
    with pytest.raises(TypeError, match="Tensor or None"):
        x.grad = np.zeros(2)
    x.grad = Tensor(np.ones(2))
    del x.grad
    assert x.grad is None


def test_grad_does_not_alias_an_array_a_hook_returns():
    buf = np.zeros(2)

    def into_buffer(g):
        buf[...] = g.data * 2
        return buf

    for on_leaf in (True, False):
        x = leaf([1.0, 2.0])
        t = x if on_leaf else x * 1.0
        t.register_hook(into_buffer)
        (t * 3.0).sum().backward()
        buf[...] = 100.0                # the hook's memory, reused by its owner
        np.testing.assert_allclose(x.grad.data, [6.0, 6.0])


def test_grad_does_not_alias_an_array_a_custom_backward_keeps():
    class Scale(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.factor = np.array([5.0, 6.0])
            return x.data * ctx.factor

        @staticmethod
        def backward(ctx, g):
            return ctx.factor if np.all(g.data == 1) else g.data * ctx.factor

    x = leaf([1.0, 2.0])
    y = Scale.apply(x)
    y.backward(np.ones(2), retain_graph=True)
    x.grad.zero_()                      # zero_grad(set_to_none=False)
    y.backward(np.ones(2))
    np.testing.assert_allclose(x.grad.data, [5.0, 6.0])


def test_a_tensor_cannot_be_its_own_grad():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="its own grad"):
        x.grad = x
    assert x.grad is None


def test_grad_does_not_alias_a_saved_tensor_a_custom_backward_returns():
    class Linear1(ag.Function):              # d(x * c)/dx = c, c saved
        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(c)
            return x.data * c.data

        @staticmethod
        def backward(ctx, g):
            c, = ctx.saved_tensors
            return (c if np.all(g.data == 1) else g * c), None

    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    y = Linear1.apply(x, c)
    y.backward(np.ones(2))
    x.grad.zero_()
    np.testing.assert_array_equal(c.data, [3.0, 4.0])


def test_create_graph_gives_each_leaf_its_own_grad():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = Tensor(np.array([2.0, 3.0]))
    ((x + y) * c).sum().backward(create_graph=True)
    assert x.grad is not y.grad
    x.grad.zero_()                           # zero_grad(set_to_none=False)
    np.testing.assert_allclose(y.grad.data, [2.0, 3.0])
    w = leaf([1.0, 2.0])
    given = Tensor(np.array([5.0, 5.0]))
    w.backward(given, create_graph=True)
    w.grad.zero_()
    np.testing.assert_allclose(given.data, [5.0, 5.0])
    # still differentiable: d/dx of sum(x.grad * x) where x.grad = 3 x^2
    z = leaf([1.0, 2.0])
    (z ** 3).sum().backward(create_graph=True)
    (z.grad * 1.0).sum().backward()
    np.testing.assert_allclose(z.grad.data, 3 * z.data ** 2 + 6 * z.data)
