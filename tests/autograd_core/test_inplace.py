"""In-place updates: the operators and methods, PyTorch's rules, and versions."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import Tensor


def _leaf(values, dtype=np.float64):
    return ag.tensor(np.array(values, dtype=dtype), requires_grad=True)


# -- the training loop that used to do nothing ---------------------------------------

def test_sgd_loop_with_augmented_assignment_updates_the_parameters():
    w = _leaf([1.0, -2.0])
    b = _leaf([0.5])
    params = [w, b]
    for _ in range(3):
        loss = ((w * 3.0 + b) ** 2).sum()
        for p in params:
            p.grad = None
        loss.backward()
        expected = [p.data - 0.1 * p.grad.data for p in params]
        with ag.no_grad():
            for p in params:
                p -= 0.1 * p.grad
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p.data, e)
    assert w.is_leaf and w.requires_grad


def test_operators_keep_the_object_and_its_array():
    t = ag.tensor([1.0, 2.0, 3.0])
    data, obj = t.data, t
    t += 1
    t -= ag.tensor([1.0, 1.0, 1.0])
    t *= 2
    t /= np.array([2.0, 4.0, 1.0])
    assert t is obj and t.data is data
    np.testing.assert_allclose(t.data, [1.0, 1.0, 6.0])


@pytest.mark.parametrize("method, args, expected", [
    ("add_", (2.0,), [3.0, 4.0]),
    ("sub_", (ag.tensor([1.0, 1.0]),), [0.0, 1.0]),
    ("mul_", (np.array([2.0, 3.0]),), [2.0, 6.0]),
    ("div_", (4.0,), [0.25, 0.5]),
    ("zero_", (), [0.0, 0.0]),
    ("fill_", (7.0,), [7.0, 7.0]),
    ("fill_", (ag.tensor(5.0),), [5.0, 5.0]),
    ("copy_", (np.array([9.0, 8.0]),), [9.0, 8.0]),
    ("copy_", (ag.tensor(3.0),), [3.0, 3.0]),
    ("clamp_", (1.5, None), [1.5, 2.0]),
    ("clamp_", (None, 1.5), [1.0, 1.5]),
])
def test_methods_write_in_place_and_return_self(method, args, expected):
    t = ag.tensor([1.0, 2.0])
    data = t.data
    assert getattr(t, method)(*args) is t
    assert t.data is data
    np.testing.assert_allclose(t.data, expected)


def test_alpha_of_add_and_sub():
    t = ag.tensor([1.0, 2.0])
    t.add_(ag.tensor([1.0, 1.0]), alpha=3)
    t.sub_(np.array([1.0, 2.0]), alpha=0.5)
    np.testing.assert_allclose(t.data, [3.5, 4.0])


def test_aliases_see_the_write():
    t = ag.tensor([1.0, 2.0, 3.0])
    d = t.detach()
    view = t[1:]
    t += 10
    np.testing.assert_allclose(d.data, [11.0, 12.0, 13.0])
    view.mul_(0.0)
    np.testing.assert_allclose(t.data, [11.0, 0.0, 0.0])


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4),
                  elements=st.floats(-1e3, 1e3)),
       st.sampled_from(["add_", "sub_", "mul_", "div_"]),
       st.floats(0.5, 4.0))
def test_methods_match_numpy(a, method, scalar):
    t = ag.tensor(a.copy())
    getattr(t, method)(scalar)
    expected = {"add_": a + scalar, "sub_": a - scalar, "mul_": a * scalar,
                "div_": a / scalar}[method]
    np.testing.assert_allclose(t.data, expected)


def test_float32_tensor_stays_float32():
    t = ag.tensor([1.0, 2.0])
    t += np.array([0.5, 0.5])          # a float64 operand is cast, as in PyTorch
    assert t.dtype == np.float32
    np.testing.assert_allclose(t.data, [1.5, 2.5])


# -- PyTorch's rules -------------------------------------------------------------

def test_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = _leaf([1.0, 2.0])
    for update in (lambda: w.add_(1.0), lambda: w.zero_(), lambda: w.clamp_(0, 1),
                   lambda: w.copy_(np.zeros(2))):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad.*no_grad"):
            update()
    with pytest.raises(RuntimeError, match="sub_: a leaf tensor that requires grad"):
        w -= 1.0
    np.testing.assert_allclose(w.data, [1.0, 2.0])     # nothing half-changed
    assert w._version == 0


def test_leaf_that_requires_grad_is_written_inside_no_grad():
    w = _leaf([1.0, 2.0])
    with ag.no_grad():
        w.mul_(2.0)
        w.clamp_(max=3.0)
    np.testing.assert_allclose(w.data, [2.0, 3.0])
    assert w.requires_grad and w.is_leaf and w.grad_fn is None


def test_op_result_update_is_recorded():
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 2.0
    y += x              # 3x
    y *= x              # 3x^2
    y -= 1.0
    y /= 2.0            # (3x^2 - 1) / 2, gradient 3x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3.0 * x.data)
    np.testing.assert_allclose(y.data, (3 * x.data ** 2 - 1) / 2)


def test_update_of_plain_tensor_by_operand_that_requires_grad_joins_the_graph():
    w = _leaf([1.0, 2.0])
    acc = ag.zeros(2, dtype=np.float64)
    acc += w * w
    assert acc.requires_grad and not acc.is_leaf
    acc.sum().backward()
    np.testing.assert_allclose(w.grad.data, 2 * w.data)


def test_recorded_self_multiplication_uses_the_old_value():
    x = _leaf([1.0, 2.0])
    y = x + 0.0
    y *= y              # x^2
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_recorded_replacements_give_zero_gradient_to_the_old_value():
    x = _leaf([1.0, np.inf])
    src = _leaf([4.0, 5.0])
    y = x * 1.0
    y.copy_(src)
    np.testing.assert_allclose(y.data, [4.0, 5.0])    # no nan from inf * 0
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0])
    np.testing.assert_allclose(src.grad.data, [8.0, 10.0])


def test_recorded_clamp_and_fill():
    x = _leaf([-1.0, 0.5, 3.0])
    y = x * 1.0
    y.clamp_(0.0, 1.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 1.0, 0.0])
    x.grad = None
    z = x * 1.0
    z.fill_(2.0)
    assert z.requires_grad
    (z * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0, 2.0])


def test_recorded_update_of_a_view_is_refused():
    w = _leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="view of another tensor"):
        w[0:2] += 1.0
    np.testing.assert_allclose(w.data, [1.0, 2.0, 3.0])
    with ag.no_grad():
        w[0:2] += 1.0
    np.testing.assert_allclose(w.data, [2.0, 3.0, 3.0])


def test_wrong_dtype_and_shape_raise_without_writing():
    i = ag.tensor([1, 2])
    with pytest.raises(TypeError, match="add_.*int64"):
        i += 0.5
    with pytest.raises(ValueError, match="add_.*shape \\(2,\\)"):
        i += np.ones((3, 2), dtype=np.int64)
    np.testing.assert_array_equal(i.data, [1, 2])
    assert i._version == 0
    t = ag.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="mul_"):
        t *= 1j
    x = _leaf([1.0, 2.0])
    y = x * 1.0
    with pytest.raises(ValueError, match="shape"):
        y += ag.ones((3, 2), dtype=np.float64)
    with pytest.raises(ValueError, match="clamp_"):
        t.clamp_()


def test_read_only_array_gives_a_clear_error():
    t = ag.broadcast_to(ag.tensor([1.0]), (3,))
    with pytest.raises(ValueError, match="read-only"):
        t += 1.0


def test_integer_and_bool_tensors_update_in_place():
    counts = ag.tensor([0, 0])
    counts += ag.tensor([1, 2])
    mask = ag.tensor([True, False])
    mask.fill_(True)
    np.testing.assert_array_equal(counts.data, [1, 2])
    np.testing.assert_array_equal(mask.data, [True, True])


# -- versions -------------------------------------------------------------------

def test_every_write_bumps_the_version():
    t = ag.tensor([1.0, 2.0, 3.0])
    assert t._version == 0
    t[0] = 5.0
    t += 1
    t.zero_()
    assert t._version == 3
    assert t.detach()._version == 3         # detach shares the memory and so the version


def test_setitem_under_no_grad_after_forward_is_caught():
    w = _leaf([1.0, 2.0, 3.0])
    y = (w * w).sum()
    with ag.no_grad():
        w[0] = 10.0
    with pytest.raises(RuntimeError, match="Mul saved .*modified by an in-place|"
                                           "modified by an in-place.*Mul"):
        y.backward()


def test_update_between_two_backwards_is_caught():
    w = _leaf([1.0, 2.0])
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    with ag.no_grad():
        w -= 0.1 * w.grad
    with pytest.raises(RuntimeError, match="Mul.*version is now 1"):
        loss.backward()


def test_write_through_an_alias_is_caught():
    w = _leaf([1.0, 2.0])
    y = w.sin().sum()
    w.detach()[1] = 0.0
    with pytest.raises(RuntimeError, match="Sin"):
        y.backward()


def test_overwritten_output_is_caught():
    x = _leaf([1.0, 2.0])
    y = x.exp()
    y += 1.0                  # recorded, but Exp's backward needs its output
    with pytest.raises(RuntimeError, match="Exp saved its own output"):
        y.sum().backward()


def test_write_before_recording_is_fine():
    w = _leaf([1.0, 2.0])
    with ag.no_grad():
        w.mul_(3.0)
    y = (w * w).sum()
    y.backward()
    np.testing.assert_allclose(w.grad.data, 2 * w.data)


def test_write_to_an_unrelated_tensor_is_fine():
    w = _leaf([1.0, 2.0])
    other = ag.tensor([0.0])
    y = (w * w).sum()
    other += 1
    y.backward()
    np.testing.assert_allclose(w.grad.data, [2.0, 4.0])


def test_custom_function_saved_tensor_is_checked():
    class Square(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data ** 2

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = _leaf([3.0])
    y = Square.apply(x)
    with ag.no_grad():
        x.fill_(0.0)
    with pytest.raises(RuntimeError, match="Square"):
        y.backward()


def test_versions_of_dead_arrays_are_forgotten():
    from autograd_core import versions
    before = len(versions._table)
    for _ in range(100):
        t = ag.tensor([1.0])
        t += 1
    del t
    assert len(versions._table) <= before + 1


def test_in_place_methods_are_tensor_methods():
    for name in ("add_", "sub_", "mul_", "div_", "pow_", "zero_", "fill_", "copy_", "clamp_"):
        assert callable(getattr(Tensor, name))
        assert getattr(Tensor, name).__doc__


# -- results that are views of private memory; views that go stale ---------------------

@pytest.mark.parametrize("make", [
    lambda x: (x * x).sum(),                    # a 0-d array viewing a NumPy scalar
    lambda x: x.max(axis=0),                    # a reshape of max's keepdims result
    lambda x: x.logsumexp(axis=0),
    lambda x: ag.dot(x[0], x[1]),
], ids=["sum", "max", "logsumexp", "dot"])
def test_adding_to_a_reduction_result_is_recorded(make):
    # loss += penalty: the result is a view of a temporary no other tensor sees.
    x = _leaf([[1.0, -2.0], [3.0, 0.5]])
    y = make(x)
    y += (x * x).sum()
    y.sum().backward()
    x2 = _leaf(x.data)
    (make(x2) + (x2 * x2).sum()).sum().backward()
    np.testing.assert_allclose(x.grad.data, x2.grad.data)


def test_custom_function_result_that_views_a_temporary_may_be_updated():
    class SumKeep(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.in_shape = x.shape
            return x.data.sum(axis=0, keepdims=True).reshape(-1)

        @staticmethod
        def backward(ctx, g):
            return np.broadcast_to(g.data, ctx.in_shape)

    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    y = SumKeep.apply(x)
    y *= 3.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((2, 2), 3.0))


def test_view_taken_before_the_base_is_updated_is_stale():
    # PyTorch rebuilds the view's history; this engine refuses to use the view.
    x = _leaf([1.0, 2.0, 3.0, 4.0])
    a = x * 2.0
    v = a.reshape(2, 2)
    row = a[1:]
    a *= 3.0
    with pytest.raises(RuntimeError, match="Mul: the input .*made by Reshape.*in place"):
        v * v
    with pytest.raises(RuntimeError, match="backward\\(\\).*made by GetItem"):
        row.backward(ag.ones(3, dtype=np.float64))
    # the updated tensor itself, and views taken after the update, are fine
    w = a.reshape(2, 2)
    (w * w).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * (6 * x.data) * 6)


def test_base_updated_through_detach_is_stale():
    x = _leaf([1.0, 2.0])
    w = _leaf([5.0, 5.0])
    a = x * 2.0
    d = a.detach()
    d += w                   # recorded on d; a's memory now holds 2x + w
    with pytest.raises(RuntimeError, match="Sum: the input"):
        a.sum()
    d.sum().backward()
    np.testing.assert_allclose(w.grad.data, [1.0, 1.0])


def test_writes_without_recording_leave_views_usable():
    # as PyTorch: a write under no_grad changes values, not histories
    x = _leaf([1.0, 2.0])
    a = x * 2.0
    v = a[0:1]
    with ag.no_grad():
        a += 1.0
    (v * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 0.0])


def test_custom_function_returning_its_input_gives_a_view():
    class Identity(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    w = _leaf([1.0, 2.0])
    out = Identity.apply(w)
    with pytest.raises(RuntimeError, match="view of another tensor.*custom Function"):
        out += ag.tensor([1.0, 1.0], requires_grad=True)
    np.testing.assert_allclose(w.data, [1.0, 2.0])
    a = w * 2.0
    out = Identity.apply(a)
    with pytest.raises(RuntimeError, match="view of another tensor"):
        out *= 3.0
    out.sum().backward()
    np.testing.assert_allclose(w.grad.data, [2.0, 2.0])


def test_retain_grad_follows_the_tensor_through_an_update():
    x = _leaf([1.0, 2.0])
    y = x * 2.0
    y.retain_grad()
    y *= 3.0
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.data, 2 * y.data)     # dz/dy at the new value
    np.testing.assert_allclose(x.grad.data, 2 * y.data * 6)


def test_fill_of_an_integer_tensor_refuses_values_that_do_not_fit():
    u = ag.tensor([1, 2], dtype=np.uint8)
    with pytest.raises(ValueError, match="fill_: the value 300 .*uint8"):
        u.fill_(300)
    i = ag.tensor([1, 2])
    with pytest.raises(ValueError, match="fill_: the value nan .*int64"):
        i.fill_(float("nan"))
    with pytest.raises(ValueError, match="fill_"):
        i.fill_(float("inf"))
    np.testing.assert_array_equal(i.data, [1, 2])
    i.fill_(2.7)                 # truncated, as PyTorch
    u.fill_(-1)                  # wraps, as PyTorch
    np.testing.assert_array_equal(i.data, [2, 2])
    np.testing.assert_array_equal(u.data, [255, 255])


def test_power_assignment_updates_in_place():
    # p **= 2 used to rebind p to a new tensor, leaving the model's unchanged
    w = _leaf([1.0, 2.0, 3.0])
    params = [w]
    with ag.no_grad():
        for p in params:
            p **= 2
    np.testing.assert_allclose(w.data, [1.0, 4.0, 9.0])
    assert w._version == 1
    x = _leaf([1.0, 2.0])
    y = x * 1.0
    y **= 3
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * x.data ** 2)
    with pytest.raises(RuntimeError, match="pow_: a leaf"):
        x.pow_(2)
    i = ag.tensor([2, 3])
    i **= 2
    np.testing.assert_array_equal(i.data, [4, 9])
    with pytest.raises(TypeError, match="pow_"):
        i **= 0.5
    with pytest.raises(ValueError, match="pow_: Integers to negative integer powers"):
        i **= -1


def test_errors_numpy_raises_for_values_name_the_operation():
    small = ag.tensor([1, 2], dtype=np.int8)
    with pytest.raises(OverflowError, match="add_: .*200.*int8"):
        small += 200
    np.testing.assert_array_equal(small.data, [1, 2])
    assert small._version == 0


def test_unrecorded_view_of_a_buffer_that_then_joins_the_graph_is_stale():
    # PyTorch gives v a history (or, for a view made under no_grad, raises);
    # here v would be a constant holding a value that depends on w.
    w = _leaf([1.0, 2.0, 3.0])
    buf = ag.zeros(3, dtype=np.float64)
    v = buf[0:2]
    buf += w
    with pytest.raises(RuntimeError, match="Mul: the input .*made by a view op"):
        v * v
    a = w * 1.0
    with ag.no_grad():
        u = a.reshape(3)
    a += w
    with pytest.raises(RuntimeError, match="Add: the input"):
        u + 1.0
    # views taken after the write, and copies, are fine
    (buf[0:2] * 2.0).sum().backward()
    np.testing.assert_allclose(w.grad.data, [2.0, 2.0, 0.0])
