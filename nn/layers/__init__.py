"""Layers: each a ``Module`` with its parameters, in a file named for what it holds."""
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, Residual, Sequential
from .conv import Conv2d
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .linear import Identity, Linear
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = ["Linear", "Identity", "Flatten", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "Embedding", "Sequential", "Residual", "ModuleList", "ModuleDict",
           "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU", "Softmax", "LogSoftmax"]
