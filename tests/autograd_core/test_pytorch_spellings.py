"""PyTorch's spellings on top of the contract's NumPy words.

``dim=``/``keepdim=`` (and ``start_dim``/``end_dim``, ``correction``/``unbiased``)
wherever ``axis=``/``keepdims=`` (``start_axis``/``end_axis``, ``ddof``) are,
on methods and ``ag.*`` functions, with a clear error when both are given;
``max``/``min`` with ``dim=`` returning ``(values, indices)``; the new methods
``permute unsqueeze view argmax argmin clone float double to all any prod
cumsum norm numel``; ``t.size`` as an int that PyTorch code may call. Each is
checked against NumPy and, where torch is installed, against torch; gradients
with gradcheck/gradgradcheck in float64 (prod with zeros included).
"""
import pickle
import warnings

import numpy as np
import pytest

import autograd_core as ag


def _x(shape=(3, 4, 5), seed=0, requires_grad=True):
    rng = np.random.default_rng(seed)
    return ag.tensor(rng.standard_normal(shape), requires_grad=requires_grad)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# --------------------------------------------------------------------------- dim / keepdim

# name, extra keyword arguments, the axis to try
REDUCTIONS = [
    ("sum", {}, 1), ("mean", {}, -1), ("var", {}, 0), ("std", {}, 2),
    ("max", {}, None), ("min", {}, None), ("logsumexp", {}, 1), ("prod", {}, 1),
    ("norm", {}, 1), ("all", {}, 0), ("any", {}, 2), ("argmax", {}, 1), ("argmin", {}, -1),
]


@pytest.mark.parametrize("name,extra,axis", REDUCTIONS)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("how", ["method", "function"])
def test_dim_keepdim_same_as_axis_keepdims(name, extra, axis, keepdims, how):
    x = _x()
    f = getattr(x, name) if how == "method" else (lambda **k: getattr(ag, name)(x, **k))
    want = f(axis=axis, keepdims=keepdims, **extra)
    got = f(dim=axis, keepdim=keepdims, **extra) if axis is not None else f(
        keepdim=keepdims, **extra)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name,axis", [("softmax", 0), ("log_softmax", 1), ("cumsum", 2),
                                       ("squeeze", 1), ("expand_dims", 1), ("unsqueeze", -1)])
def test_dim_on_single_axis_ops(name, axis):
    x = _x((3, 1, 4))
    for f in (getattr(x, name), lambda **k: getattr(ag, name)(x, **k)):
        np.testing.assert_array_equal(f(dim=axis).numpy(), f(axis=axis).numpy())


def test_dim_on_joining_and_flatten():
    x, y = _x((2, 3, 4)), _x((2, 3, 4), seed=1)
    for join in (ag.concatenate, ag.stack):
        np.testing.assert_array_equal(join([x, y], dim=1).numpy(),
                                      join([x, y], axis=1).numpy())
    assert x.flatten(start_dim=1).shape == (2, 12)
    assert x.flatten(start_dim=0, end_dim=1).shape == (6, 4)
    assert ag.flatten(x, end_dim=-2).shape == (6, 4)


@pytest.mark.parametrize("call,message", [
    (lambda x: x.sum(axis=1, dim=1), "sum: got both axis=1 and dim=1; use one"),
    (lambda x: x.sum(1, dim=1), "sum: got both axis=1 and dim=1; use one"),
    (lambda x: ag.sum(x, 1, dim=0), "sum: got both axis=1 and dim=0; use one"),
    (lambda x: x.mean(keepdims=True, keepdim=True),
     "mean: got both keepdims=True and keepdim=True; use one"),
    (lambda x: x.max(0, dim=0), "max: got both axis=0 and dim=0; use one"),
    (lambda x: x.var(ddof=1, correction=1), "var: got both ddof=1 and correction=1; use one"),
    (lambda x: x.std(1, 1, unbiased=True), "std: got both ddof=1 and unbiased=True; use one"),
    (lambda x: x.flatten(1, start_dim=1),
     "flatten: got both start_axis=1 and start_dim=1; use one"),
    (lambda x: ag.concatenate([x, x], 0, dim=0),
     "concatenate: got both axis=0 and dim=0; use one"),
    (lambda x: x.argmax(axis=0, dim=0), "argmax: got both axis=0 and dim=0; use one"),
    (lambda x: x.cumsum(0, dim=0), "cumsum: got both axis=0 and dim=0; use one"),
    (lambda x: x.norm(2, 0, dim=0), "norm: got both axis=0 and dim=0; use one"),
])
def test_both_spellings_raise(call, message):
    with pytest.raises(TypeError) as info:
        call(_x())
    assert str(info.value) == message


def test_docstrings_mention_torch_names():
    assert "dim= for axis=" in ag.sum.__doc__ and "keepdim= for keepdims=" in ag.sum.__doc__
    assert "start_dim= for start_axis=" in ag.Tensor.flatten.__doc__
    assert ag.sum.__name__ == "sum"


def test_var_std_correction_and_unbiased(torch):
    x = _x()
    t = torch.tensor(x.numpy())
    for name in ("var", "std"):
        f = getattr(x, name)
        np.testing.assert_allclose(f(dim=1, correction=1).numpy(),
                                   getattr(t, name)(dim=1, correction=1).numpy())
        np.testing.assert_allclose(f(dim=1, unbiased=True).numpy(),
                                   getattr(t, name)(dim=1, unbiased=True).numpy())
        np.testing.assert_allclose(f(dim=1, unbiased=False).numpy(),
                                   getattr(x.numpy(), name)(axis=1))
        # The contract's default stays ddof=0, also with dim= (documented).
        np.testing.assert_allclose(f(dim=1).numpy(), getattr(x.numpy(), name)(axis=1))
    with pytest.raises(TypeError, match="unbiased must be True or False"):
        x.var(unbiased=1)


# --------------------------------------------------------------------------- max/min with dim

@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices(name, keepdim, torch):
    x = _x((4, 6))
    out = getattr(x, name)(dim=1, keepdim=keepdim)
    values, indices = out
    assert out.values is values and out.indices is indices
    ref = getattr(torch.tensor(x.numpy()), name)(dim=1, keepdim=keepdim)
    np.testing.assert_array_equal(values.numpy(), ref.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), ref.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert values.requires_grad
    # Same through ag.max, and the values are differentiable.
    values2, _ = getattr(ag, name)(x, dim=1, keepdim=keepdim)
    values2.sum().backward()
    ref_x = torch.tensor(x.numpy(), requires_grad=True)
    getattr(ref_x, name)(dim=1, keepdim=keepdim).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), ref_x.grad.numpy())


def test_max_with_axis_returns_values_only():
    x = _x((4, 6))
    for out in (x.max(1), x.max(axis=1), ag.max(x, 1), x.max()):
        assert isinstance(out, ag.Tensor)
    np.testing.assert_array_equal(x.max(axis=1).numpy(), x.numpy().max(axis=1))


@pytest.mark.parametrize("dim", [None, (0, 1)])
def test_max_with_dim_needs_one_int(dim):
    with pytest.raises(TypeError, match=r"max: dim= returns \(values, indices\)"):
        _x((3, 4)).max(dim=dim)


def test_max_of_two_tensors_points_to_maximum():
    x, y = _x((3,)), _x((3,), seed=1)
    with pytest.raises(TypeError, match=r"ag\.maximum\(a, b\)"):
        x.max(y)
    with pytest.raises(TypeError, match=r"ag\.minimum\(a, b\)"):
        ag.min(x, y)


# --------------------------------------------------------------------------- shape methods

def test_permute(torch):
    x = _x((2, 3, 4))
    for dims in [(0, 2, 1), (2, 0, 1), (-1, 0, 1)]:
        want = torch.tensor(x.numpy()).permute(*dims).numpy()
        np.testing.assert_array_equal(x.permute(*dims).numpy(), want)
        np.testing.assert_array_equal(x.permute(dims).numpy(), want)
        np.testing.assert_array_equal(ag.permute(x, list(dims)).numpy(), want)
    assert ag.gradcheck(lambda t: x.permute(2, 0, 1) * 1.0 + t.permute(2, 0, 1), (x,))
    with pytest.raises(ValueError, match=r"permute: axes \(0, 1\) are not a permutation"):
        x.permute(0, 1)
    with pytest.raises(TypeError, match="permute: needs the new order"):
        x.permute()


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
def test_unsqueeze(dim, torch):
    x = _x((2, 3))
    want = torch.tensor(x.numpy()).unsqueeze(dim).numpy()
    got = x.unsqueeze(dim)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    got.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


def test_unsqueeze_errors():
    x = _x((2, 3))
    with pytest.raises(np.exceptions.AxisError, match="unsqueeze"):
        x.unsqueeze(3)
    with pytest.raises(np.exceptions.AxisError, match="unsqueeze"):
        x.unsqueeze(-4)
    with pytest.raises(TypeError, match="unsqueeze"):
        x.unsqueeze((0, 1))


def test_view(torch):
    x = _x((2, 3, 4))
    ref = torch.tensor(x.numpy())
    for shape in [(-1, 4), (4, 6), (24,), (2, -1)]:
        np.testing.assert_array_equal(x.view(*shape).numpy(), ref.view(*shape).numpy())
        np.testing.assert_array_equal(x.view(shape).numpy(), ref.view(shape).numpy())
    assert ag.gradgradcheck(lambda t: t.view(-1, 4) ** 2, (x,))
    for dtype in (np.float32, np.dtype("int64"), "float32", float):
        with pytest.raises(TypeError, match=r"view: view\(dtype\).*t\.to\(dtype\)"):
            x.view(dtype)
    with pytest.raises(TypeError, match=r"view\(dtype\)"):
        x.view(torch.float32)
    with pytest.raises(ValueError, match="reshape"):
        x.view(5, -1)


def test_clone_is_a_copy_in_the_graph(torch):
    x = _x((3,))
    c = x.clone()
    assert c.grad_fn is not None and c.grad_fn.name == "Clone"
    assert not np.shares_memory(c.numpy(), x.numpy())
    np.testing.assert_array_equal(c.numpy(), x.numpy())
    (c * c).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())
    assert ag.gradgradcheck(lambda t: ag.clone(t) ** 3, (x,))
    i = ag.tensor([1, 2])
    ci = i.clone()
    assert ci.dtype == np.int64 and not ci.requires_grad and ci.numpy() is not i.numpy()


def test_numel():
    assert _x((3, 4, 5)).numel() == 60 and ag.numel(_x((2,))) == 2
    assert ag.tensor(3.0).numel() == 1 and ag.zeros((0, 3)).numel() == 0
    assert type(_x().numel()) is int


# --------------------------------------------------------------------------- casts

def test_float_double_and_friends():
    x = _x((3,))                                    # float64, requires grad
    f = x.float()
    assert f.dtype == np.float32 and f.requires_grad
    f.sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(3))
    assert x.double() is x                          # nothing to change: self, as PyTorch
    assert f.double().dtype == np.float64 and f.half().dtype == np.float16
    lab = ag.tensor([1.7, -2.2, 0.0]).long()
    assert lab.dtype == np.int64 and lab.tolist() == [1, -2, 0] and not lab.requires_grad
    assert ag.tensor([1, 0]).bool().tolist() == [True, False]
    assert ag.tensor([1.5]).int().dtype == np.int32


def test_to(torch):
    x = _x((3,))
    assert x.to("cpu") is x and x.to(device="cpu") is x and x.to("cpu:0") is x
    assert x.to("float32").dtype == np.float32
    assert x.to(np.float32).dtype == np.float32
    assert x.to(dtype=np.float16).dtype == np.float16
    assert x.to(torch.float32).dtype == np.float32
    assert x.to("cpu", np.float32).dtype == np.float32
    assert x.to(ag.tensor([1])).dtype == np.int64
    c = x.to("cpu", copy=True)
    assert c is not x and c.grad_fn is not None
    y = x.to("float32")
    assert y.requires_grad and y.grad_fn is not None
    assert ag.gradgradcheck(lambda t: t.to(np.float64) ** 2, (x,))
    with pytest.raises(ValueError, match="CPU"):
        x.to("cuda")
    with pytest.raises(ValueError, match="CPU"):
        x.to(torch.device("meta"))
    with pytest.raises(TypeError, match="not a dtype or device"):
        x.to("nonsense")
    with pytest.raises(TypeError, match="two dtypes"):
        x.to(np.float32, dtype=np.float64)


# --------------------------------------------------------------------------- argmax / argmin

@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_argmax_argmin(name, axis, keepdims, torch):
    x = _x((3, 5))
    got = getattr(x, name)(axis=axis, keepdims=keepdims)
    want = getattr(np, name)(x.numpy(), axis=axis, keepdims=keepdims)
    assert got.dtype == np.int64 and not got.requires_grad and got.grad_fn is None
    np.testing.assert_array_equal(got.numpy(), want)
    ref = getattr(torch.tensor(x.numpy()), name)(dim=axis, keepdim=keepdims)
    assert got.shape == tuple(ref.shape)
    np.testing.assert_array_equal(got.numpy(), ref.numpy())


def test_argmax_edge_cases():
    assert ag.tensor([1.0, np.nan, 3.0]).argmax().item() == 1      # NaN is the max
    assert ag.tensor([2, 7, 7]).argmax().item() == 1               # the first one
    assert ag.tensor(5.0).argmax().item() == 0
    with pytest.raises(ValueError, match="argmax: cannot take the argmax over an axis of "
                                         "length 0"):
        ag.zeros((0, 3)).argmax(dim=0)
    assert ag.zeros((0, 3)).argmax(dim=1).shape == (0,)
    with pytest.raises(TypeError, match="argmin: axis must be an int"):
        _x().argmin(axis=(0, 1))


# --------------------------------------------------------------------------- all / any

@pytest.mark.parametrize("axis", [None, 0, (0, 2), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_all_any(axis, keepdims):
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2, size=(3, 4, 2)) * rng.integers(0, 3, size=(3, 4, 2))
    for data in (a, a.astype(bool), a.astype(np.float32)):
        t = ag.tensor(data)
        for name in ("all", "any"):
            got = getattr(t, name)(axis=axis, keepdims=keepdims)
            assert got.dtype == np.bool_ and not got.requires_grad
            np.testing.assert_array_equal(
                got.numpy(), getattr(np, name)(data, axis=axis, keepdims=keepdims))
    x = _x()
    assert not (x > 0).any(dim=0).requires_grad and not x.all().requires_grad


# --------------------------------------------------------------------------- prod

@pytest.mark.parametrize("shape,axis", [((5,), None), ((3, 4), 0), ((3, 4), 1),
                                        ((2, 3, 5), (0, 2)), ((2, 3, 5), -1), ((), None),
                                        ((7, 1), None), ((3, 0), 1), ((3, 0), 0)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_prod_forward(shape, axis, keepdims, torch):
    x = _x(shape)
    got = x.prod(axis=axis, keepdims=keepdims)
    want = np.prod(x.numpy(), axis=axis, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-13)
    if isinstance(axis, int):
        ref = torch.tensor(x.numpy()).prod(dim=axis, keepdim=keepdims)
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.bool_,
                                   np.float32, np.float16])
def test_prod_dtypes_as_numpy(dtype):
    a = np.array([[1, 2, 3], [3, 1, 2]]).astype(dtype)
    for axis in (None, 1):
        got = ag.tensor(a).prod(axis)
        want = np.prod(a, axis=axis)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.numpy(), want)
    big = np.full(70, 3, dtype=np.int64)             # wraps around as NumPy's does
    assert ag.tensor(big).prod().item() == np.prod(big)


@pytest.mark.parametrize("zeros", [[], [2], [0, 5], [1, 3, 6]])
def test_prod_gradients_with_zeros(zeros, torch):
    data = np.random.default_rng(1).uniform(0.5, 1.5, 7) * [1, -1, 1, 1, -1, 1, -1]
    data[zeros] = 0.0
    x = ag.tensor(data, requires_grad=True)
    assert ag.gradcheck(lambda t: t.prod(), (x,))
    assert ag.gradgradcheck(lambda t: t.prod(), (x,))
    x.prod().backward()
    ref = torch.tensor(data, requires_grad=True)
    ref.prod().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-12, atol=0)
    # The exact values: the product of the others, computed without division.
    others = [np.prod(np.delete(data, i)) for i in range(7)]
    np.testing.assert_allclose(x.grad.numpy(), others, rtol=1e-12, atol=0)
    assert np.isfinite(x.grad.numpy()).all()


def test_prod_gradients_over_axes():
    x = _x((3, 4, 5))
    x.data[0, 1, 2] = 0.0
    x.data[1, :2, 3] = 0.0
    for axis, keepdims in [(1, False), ((0, 2), True), (None, False), (-1, True)]:
        assert ag.gradcheck(lambda t: t.prod(dim=axis, keepdim=keepdims), (x,))  # noqa: B023
    assert ag.gradgradcheck(lambda t: ag.prod(t, axis=(1, 2)), (x,))


def test_prod_empty_is_one_and_in_graph():
    x = ag.zeros((3, 0), dtype=np.float64, requires_grad=True)
    out = x.prod(axis=1)
    np.testing.assert_array_equal(out.numpy(), np.ones(3))
    out.sum().backward()
    assert x.grad.shape == (3, 0)


# --------------------------------------------------------------------------- cumsum

@pytest.mark.parametrize("shape,axis", [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1),
                                        ((2, 3, 4), 1), ((3, 4), None), ((), None)])
def test_cumsum(shape, axis, torch):
    x = _x(shape)
    got = x.cumsum(axis)
    want = np.cumsum(x.numpy(), axis=axis)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-14)
    if axis is not None:
        np.testing.assert_allclose(got.numpy(), torch.tensor(x.numpy()).cumsum(dim=axis),
                                   rtol=1e-14)
    assert ag.gradcheck(lambda t: t.cumsum(axis) ** 2, (x,))
    assert ag.gradgradcheck(lambda t: ag.cumsum(t, axis) ** 2, (x,))


def test_cumsum_gradient_is_a_reversed_cumsum():
    x = ag.tensor(np.arange(4.0), requires_grad=True)
    x.cumsum(0).backward(ag.tensor([1.0, 10.0, 100.0, 1000.0], dtype=np.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [1111.0, 1110.0, 1100.0, 1000.0])


def test_cumsum_dtypes():
    for dtype in (np.int32, np.bool_, np.uint8, np.float32):
        a = np.array([[1, 0, 1], [1, 1, 0]]).astype(dtype)
        got, want = ag.tensor(a).cumsum(1), np.cumsum(a, axis=1)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.numpy(), want)
    with pytest.raises(TypeError, match="cumsum: axis must be an int"):
        _x().cumsum((0, 1))


# --------------------------------------------------------------------------- norm

def _np_norm(a, p, axis, keepdims):
    if p in (2, "fro"):
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdims))
    if p == 1:
        return np.sum(np.abs(a), axis=axis, keepdims=keepdims)
    reduce = np.max if p == np.inf else np.min
    return reduce(np.abs(a), axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("p", [2, 1, np.inf, -np.inf, "fro", 2.0])
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm(p, axis, keepdims, torch):
    x = _x()
    got = x.norm(p, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(got.numpy(), _np_norm(x.numpy(), p, axis, keepdims),
                               rtol=1e-13)
    if p != "fro" or axis is None or isinstance(axis, tuple):
        ref = torch.norm(torch.tensor(x.numpy()), p=p, dim=axis, keepdim=keepdims)
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-13)
    assert ag.gradcheck(lambda t: t.norm(p, dim=axis, keepdim=keepdims), (x,))
    if p in (2, 1):
        assert ag.gradgradcheck(lambda t: ag.norm(t, p, axis, keepdims), (x,))


def test_norm_default_is_frobenius_and_np_vector_norm():
    x = _x((4, 5))
    np.testing.assert_allclose(x.norm().item(), np.linalg.norm(x.numpy()), rtol=1e-13)
    np.testing.assert_allclose(x.norm(dim=1).numpy(), np.linalg.norm(x.numpy(), axis=1),
                               rtol=1e-13)


@pytest.mark.parametrize("p", [2, 1, np.inf])
def test_norm_gradient_at_zero_as_torch(p, torch):
    x = ag.tensor(np.zeros((2, 3)), requires_grad=True)
    data = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    for value, kwargs in [(np.zeros((2, 3)), {}), (data, {"dim": 1})]:
        x = ag.tensor(value, requires_grad=True)
        x.norm(p, **kwargs).sum().backward()
        ref = torch.tensor(value, requires_grad=True)
        torch.norm(ref, p=p, **kwargs).sum().backward()
        assert not np.isnan(x.grad.numpy()).any()
        np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-13)


def test_norm_errors():
    with pytest.raises(TypeError, match="norm: needs a floating tensor, got int64"):
        ag.tensor([1, 2]).norm()
    for p in (3, "nuc", 0):
        with pytest.raises(ValueError, match="norm: p must be 1, 2, inf, -inf or 'fro'"):
            _x().norm(p)
    with pytest.raises(TypeError, match="norm: p must be"):
        _x().norm(True)


# --------------------------------------------------------------------------- transpose

def test_transpose_two_axes_warns_or_points_to_swapaxes():
    x2 = _x((2, 3))
    with pytest.warns(UserWarning, match=r"identity permutation.*swapaxes\(0, 1\)"):
        out = x2.transpose(0, 1)
    assert out.shape == (2, 3)                       # NumPy's meaning, kept
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x2.transpose(1, 0).shape == (3, 2)
        assert x2.transpose((0, 1)).shape == (2, 3)   # a tuple is NumPy code: no warning
        assert x2.T.shape == (3, 2)
    with pytest.raises(ValueError, match=r"here that is swapaxes\(1, 2\)"):
        _x((2, 3, 4)).transpose(1, 2)


# --------------------------------------------------------------------------- size

def test_size_is_numpys_count_and_an_int():
    x = _x((3, 4))
    assert x.size == 12 and x.size + 1 == 13 and isinstance(x.size, int)
    assert type(x.size + 1) is int and f"{x.size}" == "12" and repr(x.size) == "12"
    assert np.zeros(x.size).shape == (12,) and x.reshape(x.size).shape == (12,)
    assert {x.size: 1}[12] == 1 and hash(x.size) == hash(12)
    assert pickle.loads(pickle.dumps(x.size)) == 12
    assert type(pickle.loads(pickle.dumps(x.size))) is int


def test_size_called_is_pytorchs(torch):
    x = _x((3, 4, 5))
    ref = torch.tensor(x.numpy())
    assert x.size() == tuple(ref.size()) == x.shape
    for d in (0, 1, 2, -1, -3):
        assert x.size(d) == ref.size(d) and x.size(dim=d) == ref.size(dim=d)
    assert ag.tensor(1.0).size() == ()
    with pytest.raises(IndexError, match=r"size: dim 3 is out of range .* \(3, 4, 5\)"):
        x.size(3)
    with pytest.raises(TypeError, match="size: dim must be an int"):
        x.size(1.0)


# --------------------------------------------------------------------------- the usual lines

def test_common_pytorch_lines_run_unchanged(torch):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((4, 3, 5)).astype(np.float32)
    x, t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)

    def lines(x):
        batch = x.size(0)
        s = x.sum(dim=1, keepdim=True)
        m = x.mean(dim=0)
        values, indices = x.max(dim=1)
        v = x.view(-1, 5)
        p = x.permute(0, 2, 1)
        u = x.unsqueeze(1)
        a = x.argmax(dim=1)
        f = x.float()
        c = x.clone()
        n = x.numel()
        loss = (s.sum() + m.sum() + values.sum() + v.sum() + (p * p).sum() + u.sum()
                + f.sum() + (c * c).mean()) / batch
        return loss, indices, a, n, [s, m, values, v, p, u, f, c]

    ours, theirs = lines(x), lines(t)
    np.testing.assert_allclose(ours[0].item(), theirs[0].item(), rtol=1e-5)
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    np.testing.assert_array_equal(ours[2].numpy(), theirs[2].numpy())
    assert ours[3] == theirs[3] == 60
    for a, b in zip(ours[4], theirs[4]):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-6)
    ours[0].backward()
    theirs[0].backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-7)
