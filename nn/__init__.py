"""nn: a neural-network package built on autograd_core's public API only.

    import nn
    import nn.functional as F

    model = nn.MLP([2, 64, 64, 2], activation="relu", init="he", norm="batch", seed=0)
    loss = F.cross_entropy(model(x), y)
    loss.backward()

``Module``/``Parameter`` (registration by attribute, ``state_dict``, scopes),
layers, ``MLP``, loss modules, ``save``/``load`` (.npz, never pickled), and the
submodules ``functional``, ``init``, ``optim``, ``data``, ``datasets``, ``training``
and ``diagnostics`` (``GradientMonitor``: per-layer gradient and activation statistics).
"""
from . import functional, init
from .layers import (GELU, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d,
                     Dropout, Embedding, Flatten, Identity, LayerNorm, LeakyReLU, Linear,
                     LogSoftmax, MaxPool2d, ModuleDict, ModuleList, ReLU, Residual, Sequential,
                     Sigmoid, Softmax, Tanh)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .mlp import MLP
from .module import Module, Parameter
from .serialization import load, save
from . import data, datasets, optim, training  # noqa: E402  (built on the above)
from .training import NonFiniteLossError, evaluate, fit  # noqa: E402
from . import diagnostics  # noqa: E402  (hooks on the layers above)

__all__ = [
    "Module", "Parameter",
    "Linear", "Identity", "Flatten", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "Embedding", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "Sequential", "Residual", "ModuleList", "ModuleDict",
    "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU", "Softmax", "LogSoftmax", "MLP",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss",
    "save", "load",
    "functional", "init", "optim", "data", "datasets", "training", "diagnostics", "fit",
    "evaluate",
    "NonFiniteLossError",
]
