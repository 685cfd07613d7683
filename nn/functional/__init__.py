"""``nn.functional``: stateless versions of the layers, the losses and the activations.

    import nn.functional as F
    loss = F.cross_entropy(model(x), y)

Everything is built from autograd_core ops, so gradients of any order work.
"""
from .activations import (gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus,
                          tanh)
from .conv import conv2d
from .dropout import dropout
from .linear import linear
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     mse_loss, nll_loss)
from .normalization import batch_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .sparse import embedding, one_hot

__all__ = [
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "dropout",
    "batch_norm", "layer_norm", "embedding", "one_hot",
    "cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "relu", "sigmoid", "tanh", "leaky_relu", "gelu", "softplus", "softmax", "log_softmax",
]
