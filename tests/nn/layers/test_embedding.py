"""Embedding: N(0, 1) init, lookup with int arrays or Tensors, gradient accumulation."""
import numpy as np
import pytest

import autograd_core as ag
import nn


def test_lookup_shapes_and_values():
    emb = nn.Embedding(10, 3, seed=0)
    assert emb.weight.shape == (10, 3)
    idx = np.array([[1, 2], [9, 1]])
    out = emb(idx)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.data, emb.weight.data[idx])
    np.testing.assert_array_equal(emb(ag.tensor([4])).data, emb.weight.data[[4]])
    np.testing.assert_array_equal(emb([0, 1]).data, emb.weight.data[:2])


def test_init_is_standard_normal_and_seeded():
    emb = nn.Embedding(500, 20, seed=0)
    assert abs(emb.weight.data.mean()) < 0.02 and abs(emb.weight.data.std() - 1) < 0.02
    assert np.array_equal(emb.weight.data, nn.Embedding(500, 20, seed=0).weight.data)
    assert repr(nn.Embedding(5, 2)) == "Embedding(5, 2)"


def test_repeated_indices_accumulate_gradients():
    emb = nn.Embedding(4, 2, dtype=np.float64, seed=0)
    emb(np.array([1, 1, 3])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data, [[0, 0], [2, 2], [0, 0], [1, 1]])
    assert ag.gradcheck(lambda w: emb(np.array([[0, 2], [2, 2]])) * 1.5, (emb.weight,))


def test_bad_indices():
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="index 4 is out of range for a table of 4 rows"):
        emb(np.array([0, 4]))
    with pytest.raises(TypeError, match="integers"):
        emb(np.array([0.0, 1.0]))
