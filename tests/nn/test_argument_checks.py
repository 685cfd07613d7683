"""Layers check their sizes when built and the dtype of what they are fed: each
error names the class and the argument (or the dtype), instead of a silently
truncated size or NumPy's float conversion error."""
import numpy as np
import pytest

import autograd_core as ag
import nn


@pytest.mark.parametrize("make,match", [
    (lambda: nn.Linear(2.5, 3), r"Linear: in_features must be an int, got float 2.5"),
    (lambda: nn.Linear(2, 3.0), r"Linear: out_features must be an int, got float 3.0"),
    (lambda: nn.Linear(True, 3), r"Linear: in_features must be an int, got bool"),
    (lambda: nn.Linear("2", 3), r"Linear: in_features must be an int, got str"),
    (lambda: nn.Linear(None, 3), r"Linear: in_features must be an int, got NoneType"),
    (lambda: nn.LayerNorm(4.0), r"LayerNorm: normalized_shape must be an int or a tuple"),
    (lambda: nn.LayerNorm((2, 2.5)), r"LayerNorm: normalized_shape\[1\] must be an int"),
    (lambda: nn.LayerNorm((np.bool_(True),)), r"LayerNorm: normalized_shape\[0\]"),
    (lambda: nn.Embedding(10.0, 3), r"Embedding: num_embeddings must be an int"),
    (lambda: nn.Embedding(10, 3.5), r"Embedding: embedding_dim must be an int"),
    (lambda: nn.BatchNorm1d(4.0), r"BatchNorm1d: num_features must be an int"),
    (lambda: nn.BatchNorm1d(False), r"BatchNorm1d: num_features must be an int, got bool"),
    (lambda: nn.MLP([2, 8.5, 2]), r"MLP: sizes\[1\] must be an int, got float 8.5"),
    (lambda: nn.MLP([2, True, 2]), r"MLP: sizes\[1\] must be an int, got bool"),
    (lambda: nn.MLP(3), r"MLP: sizes must be a list of ints"),
    (lambda: nn.MLP("234"), r"MLP: sizes must be a list of ints"),
])
def test_non_integer_sizes_raise_type_error(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize("make,match", [
    (lambda: nn.Linear(-1, 3), r"Linear: in_features must be >= 0, got -1"),
    (lambda: nn.Embedding(4, -2), r"Embedding: embedding_dim must be >= 0, got -2"),
    (lambda: nn.LayerNorm((3, -1)), r"LayerNorm: normalized_shape\[1\] must be >= 0"),
])
def test_negative_sizes_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_numpy_integers_are_sizes():
    layer = nn.Linear(np.int64(2), np.uint8(3))
    assert layer.weight.shape == (3, 2)
    assert type(layer.in_features) is int
    assert nn.LayerNorm(np.int32(4)).normalized_shape == (4,)
    assert nn.LayerNorm((np.int64(2), 3)).normalized_shape == (2, 3)
    assert nn.Embedding(np.int16(5), np.int64(2)).weight.shape == (5, 2)
    assert nn.BatchNorm1d(np.int64(3)).running_mean.shape == (3,)
    assert nn.MLP(np.array([2, 4, 1])).sizes == [2, 4, 1]


@pytest.mark.parametrize("layer", [nn.Linear(2, 3), nn.LayerNorm(2), nn.BatchNorm1d(2),
                                   nn.ReLU(), nn.Softmax(), nn.Dropout(0.5), nn.Flatten()],
                         ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("x", [np.array([["a", "b"]]), np.array([["1", "2"]]),
                               np.array([[1.0, None]], dtype=object), [["1", "2"]]],
                         ids=["letters", "digit-strings", "objects", "list-of-strings"])
def test_string_and_object_inputs_name_the_layer_and_the_dtype(layer, x):
    dtype = np.asarray(x).dtype
    with pytest.raises(TypeError, match=rf"{type(layer).__name__}: the input has dtype "
                                        rf"{dtype}"):
        layer(x)


def test_embedding_indices_must_be_integers():
    emb = nn.Embedding(4, 2, seed=0)
    with pytest.raises(TypeError, match=r"Embedding: indices must be integers, got dtype <U1"):
        emb(np.array(["1"]))
    with pytest.raises(TypeError, match=r"Embedding: indices must be integers, got dtype "
                                        r"float64"):
        emb(np.array([0.0, 1.0]))
    assert emb([1, 3]).shape == (2, 2)


def test_number_inputs_still_work_as_before():
    layer = nn.Linear(2, 3, seed=0)
    assert layer([[1.0, 2.0]]).dtype == np.float32
    assert layer(np.array([[1, 2]])).dtype == np.float32
    assert nn.ReLU()([1.0, -2.0]).dtype == np.float32          # lists stay lists
    assert nn.LayerNorm(2)(np.array([[1.0, 3.0]])).dtype == np.float32
    assert nn.Flatten()(ag.ones(2, 3, 4)).shape == (2, 12)


def test_load_state_dict_names_the_key_of_a_ragged_value():
    model = nn.Linear(2, 2, seed=0)
    before = model.weight.data.copy()
    with pytest.raises(RuntimeError, match=r"Linear:\n\tvalue for weight is not an array.*"
                                           r"inhomogeneous"):
        model.load_state_dict({"weight": [[1.0, 2.0], [3.0]], "bias": [0.0, 0.0]})
    np.testing.assert_array_equal(model.weight.data, before)       # nothing written


@pytest.mark.parametrize("make,match", [
    (lambda: nn.Dropout("0.5"), r"Dropout: p \(a probability in \[0, 1\]\) must be a real "
                                r"number, got str '0.5'"),
    (lambda: nn.Dropout(None), r"Dropout: p .* got NoneType"),
    (lambda: nn.BatchNorm1d(3, momentum="0.1"), r"BatchNorm1d: momentum must be a real"),
    (lambda: nn.BatchNorm1d(3, eps="1e-5"), r"BatchNorm1d: eps must be a real number"),
    (lambda: nn.LayerNorm(3, eps="1e-5"), r"LayerNorm: eps must be a real number"),
    (lambda: nn.MLP([2, 3, 2], dropout="0.2"), r"MLP: dropout .* must be a real number"),
])
def test_non_number_hyper_parameters_raise_type_error_when_built(make, match):
    # Unchecked, these fail only at the first forward, in NumPy's words
    # ("unsupported operand type(s) for -: 'int' and 'str'").
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize("make,match", [
    (lambda: nn.BatchNorm1d(3, eps=-1.0), r"BatchNorm1d: invalid eps: -1.0"),
    (lambda: nn.BatchNorm1d(3, momentum=2.0), r"BatchNorm1d: invalid momentum: 2.0 .*<= 1"),
    (lambda: nn.BatchNorm1d(3, eps=float("nan")), r"BatchNorm1d: invalid eps: nan"),
    (lambda: nn.LayerNorm(3, eps=-1e-5), r"LayerNorm: invalid eps"),
    (lambda: nn.MLP([2, 3, 2], dropout=1.0), r"MLP: invalid dropout"),
])
def test_out_of_range_hyper_parameters_raise_value_error(make, match):
    # Unchecked, eps < 0 gives NaN outputs (the square root of a negative variance).
    with pytest.raises(ValueError, match=match):
        make()


def test_edge_hyper_parameters_are_accepted():
    nn.BatchNorm1d(3, eps=0, momentum=None)
    nn.BatchNorm1d(3, momentum=np.float32(1.0))
    nn.LayerNorm(3, eps=0.0)
    nn.Dropout(np.float64(0.0))
    nn.Dropout(1)
