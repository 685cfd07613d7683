"""Functional transforms: grad, value_and_grad, vjp, jvp, jacobian, hessian."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import Tensor


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def arr(t):
    assert isinstance(t, Tensor), type(t)
    return t.data


def single(r):
    """vjp_fn of one primal may give the gradient or a 1-tuple of it."""
    if isinstance(r, (tuple, list)):
        assert len(r) == 1
        return r[0]
    return r


def numeric_jacobian(f, x, eps=1e-6):
    """Central differences on a NumPy function: shape out.shape + x.shape."""
    x = np.array(x, dtype=np.float64)
    out = np.asarray(f(x))
    J = np.zeros(out.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        J[(...,) + idx] = (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * eps)
    return J


def f_vec(x):          # R^3 -> R^3, works on Tensors and ndarrays
    return x * x * x.sum() + x.sin() if isinstance(x, Tensor) else x * x * x.sum() + np.sin(x)


# --------------------------------------------------------------------------- #
# grad / value_and_grad
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("make", [
    lambda v: Tensor(v), lambda v: Tensor(v, requires_grad=True), lambda v: v,
], ids=["tensor", "tensor_rg", "ndarray"])
def test_grad_single_argument(make):
    v = np.array([1.0, -2.0, 0.5])
    x = make(v)
    g = ag.grad(lambda t: (t * t).sum())(x)
    np.testing.assert_allclose(arr(g), 2 * v)
    assert g.shape == (3,)
    if isinstance(x, Tensor):
        assert x.grad is None


def test_grad_of_python_number():
    g = ag.grad(lambda t: t ** 3)(2.0)
    assert isinstance(g, Tensor) and g.shape == ()
    np.testing.assert_allclose(g.item(), 12.0, rtol=1e-6)


def test_grad_argnums():
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    f = lambda x, y: (x * y * y).sum()
    gx = ag.grad(f)(xv, yv)
    np.testing.assert_allclose(arr(gx), yv**2)
    gy = ag.grad(f, argnums=1)(xv, yv)
    np.testing.assert_allclose(arr(gy), 2 * xv * yv)
    both = ag.grad(f, argnums=(0, 1))(xv, yv)
    assert isinstance(both, tuple) and len(both) == 2
    np.testing.assert_allclose(arr(both[0]), yv**2)
    np.testing.assert_allclose(arr(both[1]), 2 * xv * yv)


def test_grad_of_unused_argument_is_zero():
    g = ag.grad(lambda x, y: (x * 2).sum(), argnums=1)(Tensor(np.ones(2)), np.ones(3))
    assert g.shape == (3,)
    np.testing.assert_array_equal(arr(g), np.zeros(3))


def test_grad_of_non_scalar_raises():
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        ag.grad(lambda t: t * 2)(np.ones(3))


def test_grad_composes_for_higher_order():
    d2 = ag.grad(ag.grad(lambda t: t ** 3))(2.0)
    np.testing.assert_allclose(arr(d2), 12.0, rtol=1e-6)


def test_nested_grad_wrt_another_argument():
    # mixed partial: d/dy sum_i df/dx_i for f = sum(x*x*y) is 2x
    f = lambda x, y: (x * x * y).sum()
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    mixed = ag.grad(lambda x, y: ag.grad(f)(x, y).sum(), argnums=1)(xv, yv)
    np.testing.assert_allclose(arr(mixed), 2 * xv)
    J = ag.jacobian(lambda x, y: ag.grad(f)(x, y), argnums=1)(xv, yv)
    np.testing.assert_allclose(arr(J), np.diag(2 * xv))


def test_grad_stays_differentiable_wrt_captured_tensors():
    # MAML-style: a gradient w.r.t. x, differentiated w.r.t. a captured w
    w = leaf([3.0, 4.0])
    g = ag.grad(lambda x: (x * x * w).sum())(np.array([1.0, 2.0]))   # 2 x w
    np.testing.assert_allclose(arr(g), [6.0, 16.0])
    g.sum().backward()
    np.testing.assert_allclose(w.grad.data, [2.0, 4.0])             # 2 x


def test_value_and_grad():
    v = np.array([1.0, 2.0])
    f = lambda x, y: (x * y).sum() + 1.0
    val, g = ag.value_and_grad(f)(Tensor(v), Tensor(v * 3))
    assert isinstance(val, Tensor)
    np.testing.assert_allclose(arr(val), (v * v * 3).sum() + 1)
    np.testing.assert_allclose(arr(g), v * 3)
    val, (gx, gy) = ag.value_and_grad(f, argnums=(0, 1))(v, v * 3)
    np.testing.assert_allclose(arr(gx), v * 3)
    np.testing.assert_allclose(arr(gy), v)


# --------------------------------------------------------------------------- #
# vjp / jvp
# --------------------------------------------------------------------------- #

def test_vjp_single_primal():
    v = np.array([0.3, -1.0, 2.0])
    out, vjp_fn = ag.vjp(f_vec, Tensor(v))
    np.testing.assert_allclose(arr(out), f_vec(v))
    u = np.array([1.0, 2.0, -1.0])
    g = single(vjp_fn(Tensor(u)))
    np.testing.assert_allclose(arr(g), u @ numeric_jacobian(f_vec, v), rtol=1e-6, atol=1e-8)
    g2 = single(vjp_fn(u))          # callable again, also with an ndarray cotangent
    np.testing.assert_allclose(arr(g2), arr(g))


def test_vjp_two_primals():
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    out, vjp_fn = ag.vjp(lambda x, y: x * y, xv, yv)
    gs = vjp_fn(np.array([1.0, -1.0]))
    assert len(gs) == 2
    np.testing.assert_allclose(arr(gs[0]), [3.0, -4.0])
    np.testing.assert_allclose(arr(gs[1]), [1.0, -2.0])


def test_jvp_matches_jacobian_times_tangent():
    v = np.array([0.3, -1.0, 2.0])
    t = np.array([0.5, 1.0, -2.0])
    out, tout = ag.jvp(f_vec, (Tensor(v),), (Tensor(t),))
    np.testing.assert_allclose(arr(out), f_vec(v))
    J = arr(ag.jacobian(f_vec)(v))
    np.testing.assert_allclose(arr(tout), J @ t, rtol=1e-10)
    np.testing.assert_allclose(arr(tout), numeric_jacobian(f_vec, v) @ t, rtol=1e-6)


def test_jvp_two_primals_and_ndarray_arguments():
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    tx, ty = np.array([1.0, 0.5]), np.array([-1.0, 2.0])
    out, tout = ag.jvp(lambda x, y: x * y.exp(), (xv, yv), (tx, ty))
    np.testing.assert_allclose(arr(out), xv * np.exp(yv))
    np.testing.assert_allclose(arr(tout), tx * np.exp(yv) + xv * np.exp(yv) * ty)


@settings(deadline=None)
@given(x=hnp.arrays(np.float64, 4, elements=st.floats(-2, 2)),
       u=hnp.arrays(np.float64, 3, elements=st.floats(-2, 2)),
       t=hnp.arrays(np.float64, 4, elements=st.floats(-2, 2)))
def test_vjp_jvp_adjoint_property(x, u, t):
    """<u, J t> == <J^T u, t> for a fixed non-linear map R^4 -> R^3."""
    W = np.arange(12.0).reshape(3, 4) / 10 - 0.5
    f = lambda a: (Tensor(W) @ a).tanh() * a.sum()
    _, vjp_fn = ag.vjp(f, x)
    _, jt = ag.jvp(f, (x,), (t,))
    lhs = np.dot(u, arr(jt))
    rhs = np.dot(arr(single(vjp_fn(u))), t)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- #
# jacobian / hessian
# --------------------------------------------------------------------------- #

def test_jacobian_vector_to_vector():
    v = np.array([0.3, -1.0, 2.0])
    J = ag.jacobian(f_vec)(Tensor(v))
    assert isinstance(J, Tensor) and J.shape == (3, 3)
    np.testing.assert_allclose(arr(J), numeric_jacobian(f_vec, v), rtol=1e-6, atol=1e-8)


def test_jacobian_matrix_input_shape():
    A = np.arange(12.0).reshape(3, 4) / 5
    X = np.arange(6.0).reshape(2, 3) / 3 - 1
    J = ag.jacobian(lambda x: x @ Tensor(A))(X)
    assert J.shape == (2, 4, 2, 3)
    np.testing.assert_allclose(arr(J), numeric_jacobian(lambda x: x @ A, X), rtol=1e-6, atol=1e-8)


def test_jacobian_scalar_output_and_scalar_input():
    v = np.array([[1.0, 2.0], [3.0, 4.0]])
    J = ag.jacobian(lambda x: (x * x).sum())(v)
    assert J.shape == (2, 2)
    np.testing.assert_allclose(arr(J), 2 * v)
    J = ag.jacobian(lambda s: Tensor(np.array([1.0, 2.0, 3.0])) * s)(np.array(2.0))
    assert J.shape == (3,)
    np.testing.assert_allclose(arr(J), [1.0, 2.0, 3.0])


def test_jacobian_argnums_tuple():
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    Jx, Jy = ag.jacobian(lambda x, y: x * y.sum(), argnums=(0, 1))(xv, yv)
    assert Jx.shape == (2, 2) and Jy.shape == (2, 3)
    np.testing.assert_allclose(arr(Jx), np.eye(2) * 12)
    np.testing.assert_allclose(arr(Jy), np.outer(xv, np.ones(3)))


def test_hessian_of_cubic_sum():
    v = np.array([1.0, -2.0, 0.5])
    H = ag.hessian(lambda x: (x ** 3).sum())(v)
    assert isinstance(H, Tensor) and H.shape == (3, 3)
    np.testing.assert_allclose(arr(H), np.diag(6 * v))


def test_hessian_of_quadratic_form():
    A = np.array([[1.0, 2.0, 0.0], [-1.0, 3.0, 4.0], [0.5, 0.0, 2.0]])
    v = np.array([1.0, 2.0, 3.0])
    H = ag.hessian(lambda x: x @ Tensor(A) @ x)(Tensor(v))
    np.testing.assert_allclose(arr(H), A + A.T)


def test_hessian_matrix_input_shape():
    X = np.arange(4.0).reshape(2, 2) + 1
    H = ag.hessian(lambda x: (x ** 3).sum())(X)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(arr(H).reshape(4, 4), np.diag(6 * X.ravel()))


def test_hessian_argnums():
    H = ag.hessian(lambda x, y: (x * x * y).sum(), argnums=1)(np.array([1.0, 2.0]),
                                                              np.array([3.0, 4.0]))
    np.testing.assert_allclose(arr(H), np.zeros((2, 2)), atol=0)


# --------------------------------------------------------------------------- #
# No side effects
# --------------------------------------------------------------------------- #

def test_functional_calls_leave_no_grad_on_inputs():
    x = leaf([1.0, 2.0, 3.0])
    y = leaf([0.5, 0.5, 0.5])
    f = lambda a, b: (a * a * b).sum()
    ag.grad(f, argnums=(0, 1))(x, y)
    ag.value_and_grad(f)(x, y)
    _, vjp_fn = ag.vjp(lambda a: a * a, x)
    vjp_fn(np.ones(3))
    ag.jvp(lambda a: a * a, (x,), (np.ones(3),))
    ag.jacobian(lambda a: a * a)(x)
    ag.hessian(lambda a: (a ** 3).sum())(x)
    assert x.grad is None and y.grad is None
    assert x.requires_grad and y.requires_grad
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0])


def test_functional_calls_leave_no_grad_on_captured_tensors():
    w = leaf([2.0, 3.0])
    g = ag.grad(lambda x: (x * w).sum())(np.array([1.0, 1.0]))
    np.testing.assert_allclose(arr(g), [2.0, 3.0])
    assert w.grad is None


# --------------------------------------------------------------------------- #
# jvp with respect to its tangents, and transforms nested in each other
# --------------------------------------------------------------------------- #

def cube_sum(x):
    return (x ** 3).sum()


def test_jvp_is_differentiable_with_respect_to_its_tangents():
    # d/dv <grad f(x0), v> = grad f(x0) = 3 x0**2; the tangents used to be cut
    # from the graph, so this was 0.
    x0, v0 = np.array([1.0, 2.0, -0.5]), np.array([0.3, 1.0, 2.0])
    g = ag.grad(lambda v: ag.jvp(cube_sum, (x0,), (v,))[1])(v0)
    np.testing.assert_allclose(arr(g), 3 * x0 ** 2)
    assert not g.requires_grad          # a plain result, not tied to jvp's own leaves
    # A tangent that requires grad in user code gets its gradient by backward().
    v = leaf(v0)
    _, tout = ag.jvp(lambda x: x ** 3, (x0,), (v,))
    tout.sum().backward()
    np.testing.assert_allclose(v.grad.data, 3 * x0 ** 2)
    # jacobian of the tangent map is J itself.
    J = ag.jacobian(lambda v: ag.jvp(lambda x: x ** 3, (x0,), (v,))[1])(v0)
    np.testing.assert_allclose(arr(J), np.diag(3 * x0 ** 2))


def test_transforms_nest_jvp_and_grad_every_way():
    x0, v0, w0 = np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([0.5, 2.0])
    hvp = 6 * x0 * v0                   # the Hessian of sum(x**3) is diag(6 x)
    # grad of jvp, with respect to the primal: d/dx <3 x**2, v> = 6 x v.
    np.testing.assert_allclose(arr(ag.grad(lambda x: ag.jvp(cube_sum, (x,), (v0,))[1])(x0)),
                               hvp)
    # jvp of grad: H v.
    _, t = ag.jvp(ag.grad(cube_sum), (x0,), (v0,))
    np.testing.assert_allclose(arr(t), hvp)
    # jvp of jvp: w^T H v, along the primal; along the tangent it is J w.
    _, t = ag.jvp(lambda x: ag.jvp(cube_sum, (x,), (v0,))[1], (x0,), (w0,))
    np.testing.assert_allclose(arr(t), np.dot(hvp, w0))
    _, t = ag.jvp(lambda v: ag.jvp(cube_sum, (x0,), (v,))[1], (v0,), (w0,))
    np.testing.assert_allclose(arr(t), np.dot(3 * x0 ** 2, w0))
    # grad of grad of jvp: third derivative of sum(x**3) along v: 6 v.
    gg = ag.grad(lambda x: ag.grad(lambda y: ag.jvp(cube_sum, (y,), (v0,))[1])(x).sum())(x0)
    np.testing.assert_allclose(arr(gg), 6 * v0)


@pytest.mark.parametrize("scalar", [np.float64(1.5), np.float32(1.5), np.float16(1.5)])
def test_numpy_scalars_keep_their_dtype(scalar):
    # np.float64(1.5) used to become float32, unlike a float64 array.
    dtype = scalar.dtype
    assert ag.tensor(scalar).dtype == dtype
    assert arr(ag.grad(lambda t: t * t)(scalar)).dtype == dtype
    assert ag.value_and_grad(lambda t: t * t)(scalar)[0].dtype == dtype
    out, vjp_fn = ag.vjp(lambda t: t * 2, scalar)
    assert out.dtype == dtype and single(vjp_fn(1.0)).dtype == dtype
    assert all(r.dtype == dtype for r in ag.jvp(lambda t: t * 2, (scalar,), (1.0,)))
    assert arr(ag.jacobian(lambda t: t * 2)(scalar)).dtype == dtype
    assert arr(ag.grad(lambda t: t * t)(1.5)).dtype == ag.get_default_dtype()


def test_complex_arguments_and_tangents_raise_type_error():
    with pytest.raises(TypeError, match="complex"):
        ag.grad(lambda t: t.sum())(np.array([1j]))
    with pytest.raises(TypeError, match="complex"):
        ag.jvp(lambda t: t, (np.array([1.0]),), (np.array([1j]),))
    _, vjp_fn = ag.vjp(lambda t: t, np.array([1.0]))
    with pytest.raises(TypeError, match="complex"):
        vjp_fn(np.array([1j]))
