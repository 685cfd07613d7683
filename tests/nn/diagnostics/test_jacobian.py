"""jacobian_singular_values against Jacobians computed directly."""
import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.diagnostics import jacobian_singular_values

F64 = np.float64


def exact_mean_singular_value(module, x, coupled=False):
    """The per-sample Jacobians by ag.jacobian: of each sample alone or, when samples
    interact (``coupled``), the diagonal blocks of the whole batch's Jacobian."""
    x = np.asarray(x, F64)
    B = x.shape[0]
    if coupled:
        J = ag.jacobian(module)(x).numpy().reshape(B, -1, B, x[0].size)
        blocks = [J[b, :, b, :] for b in range(B)]
    else:
        blocks = [ag.jacobian(module)(x[b:b + 1]).numpy().reshape(-1, x[0].size)
                  for b in range(B)]
    return np.mean([np.linalg.svd(j, compute_uv=False).mean() for j in blocks])


def test_linear_layer_gives_the_singular_values_of_its_weight():
    lin = nn.Linear(5, 4, dtype=F64, seed=0)
    x = np.random.default_rng(0).standard_normal((3, 5))
    got = jacobian_singular_values(nn.Sequential(lin), x)
    want = np.linalg.svd(lin.weight.data, compute_uv=False).mean()
    assert got == {"0": pytest.approx(want, rel=1e-12)}


def test_tanh_at_zero_is_one():
    got = jacobian_singular_values(nn.Sequential(nn.Tanh()), np.zeros((4, 6)))
    assert got["0"] == pytest.approx(1.0)


def test_elementwise_layers_average_their_derivative():
    x = np.random.default_rng(1).standard_normal((4, 6))
    got = jacobian_singular_values(nn.Sequential(nn.Tanh(), nn.Sigmoid()), x)
    assert got["0"] == pytest.approx(np.mean(1 - np.tanh(x) ** 2))
    s = 1 / (1 + np.exp(-np.tanh(x)))
    assert got["1"] == pytest.approx(np.mean(s * (1 - s)))


class Mixer(nn.Module):
    """A user-written layer whose Jacobian is a full matrix (samples independent)."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(np.random.default_rng(2).standard_normal((4, 3)))

    def forward(self, x):
        return (x @ self.a).tanh() * 2


def test_any_module_by_vector_jacobian_products():
    x = np.random.default_rng(3).standard_normal((5, 4))
    mixer = Mixer()
    got = jacobian_singular_values(nn.Sequential(mixer), x)
    assert got["0"] == pytest.approx(exact_mean_singular_value(mixer, x), rel=1e-10)
    assert mixer.a.requires_grad                   # put back after the computation


class Centre(nn.Module):
    """Subtracts the batch mean: each sample's output depends on the others."""

    def forward(self, x):
        return x - x.mean(axis=0, keepdims=True)


def test_samples_that_interact_use_the_diagonal_blocks():
    x = np.random.default_rng(4).standard_normal((4, 3))
    got = jacobian_singular_values(nn.Sequential(Centre()), x)
    # d(x_b - mean)/d x_b = (1 - 1/B) I
    assert got["0"] == pytest.approx(1 - 1 / 4)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_closed_form_matches_the_exact_blocks(training):
    bn = nn.BatchNorm1d(3, dtype=F64)
    with ag.no_grad():
        bn.weight.data[...] = [0.5, 2.0, -1.0]
        bn.running_var.data[...] = [4.0, 1.0, 0.25]
    bn.train(training)
    x = np.random.default_rng(5).standard_normal((6, 3)) * [1.0, 3.0, 0.5]
    running = bn.running_mean.data.copy(), bn.running_var.data.copy()
    got = jacobian_singular_values(nn.Sequential(bn).train(training), x)
    # The running statistics are as they were.
    np.testing.assert_array_equal(bn.running_mean.data, running[0])
    np.testing.assert_array_equal(bn.running_var.data, running[1])
    want = exact_mean_singular_value(bn, x, coupled=True)
    assert got["0"] == pytest.approx(want, rel=1e-10)


def test_residual_block_by_its_path():
    model = nn.MLP([4, 4, 4, 2], activation="tanh", residual=True, init="xavier", seed=0,
                   dtype=F64)
    x = np.random.default_rng(6).standard_normal((3, 4))
    got = jacobian_singular_values(model, x, layers=["layers.1"])
    block = model.layers[1]
    h = model.layers[0](ag.tensor(x)).numpy()
    assert list(got) == ["layers.1"]
    assert got["layers.1"] == pytest.approx(exact_mean_singular_value(block, h), rel=1e-10)


def test_dropout_generator_and_mode_are_left_alone():
    model = nn.MLP([5, 8, 2], dropout=0.5, seed=0)
    drop = model.layers[2]
    state = drop.rng.bit_generator.state
    got = jacobian_singular_values(model, np.ones((4, 5), np.float32))
    assert set(got) == {"layers.0", "layers.1", "layers.2", "layers.3"}
    assert drop.rng.bit_generator.state == state
    assert model.training


def test_glorot_and_bengio_numbers_at_initialisation():
    # Standard init U(+-1/sqrt(n)) gives about 0.5, Glorot's normalised init about 0.8.
    x = np.random.default_rng(7).standard_normal((16, 100)).astype(np.float32)
    for init, low, high in (("pytorch", 0.4, 0.6), ("xavier", 0.75, 0.95)):
        model = nn.MLP([100] * 5, activation="tanh", init=init, seed=0)
        got = jacobian_singular_values(model, x)
        linear = [v for k, v in got.items() if isinstance(model.get_submodule(k), nn.Linear)]
        assert low < np.mean(linear) < high, init


def test_layers_without_float_input_are_skipped_or_refused():
    model = nn.Sequential(nn.Embedding(10, 4, seed=0), nn.Tanh())
    idx = np.array([[1, 2], [3, 4]])
    assert set(jacobian_singular_values(model, idx)) == {"1"}
    with pytest.raises(ValueError, match="floating-point"):
        jacobian_singular_values(model, idx, layers=["0"])


def test_errors():
    model = nn.MLP([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match="jacobian_singular_values: layers: .*'nope'"):
        jacobian_singular_values(model, np.ones((2, 3), np.float32), layers=["nope"])
    with pytest.raises(ValueError, match="non-empty batch"):
        jacobian_singular_values(model, np.ones(0, np.float32))

    class Skips(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Tanh(), nn.ReLU()

        def forward(self, x):
            return self.used(x)

    assert set(jacobian_singular_values(Skips(), np.ones((2, 2)))) == {"used"}
    with pytest.raises(ValueError, match="did not call"):
        jacobian_singular_values(Skips(), np.ones((2, 2)), layers=["unused"])
