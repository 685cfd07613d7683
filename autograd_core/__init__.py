"""autograd_core: reverse-mode automatic differentiation on NumPy.

A ``Tensor`` records every operation applied to it into a graph; calling
``backward()`` on a result walks that graph in reverse and fills the ``.grad``
of the leaves::

    import autograd_core as ag
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad            # tensor([2., 4., 6.])
"""
from .dtypes import get_default_dtype, set_default_dtype
from .function import Function, RemovableHandle
from .tensor import Tensor, tensor
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope
from .ops.arithmetic import (add, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, div,
                              floor_divide, mul, neg, pow, remainder, sub)
from .ops.elementwise import (abs, clip, cos, erf, exp, gelu, leaky_relu, log, maximum,
                              minimum, relu, sigmoid, sin, softplus, sqrt, tanh, where)
from .ops.indexing import getitem
from .ops.linalg import dot, matmul
from .ops.reduction import (all, any, argmax, argmin, cumsum, log_softmax, logsumexp, max,
                            mean, min, norm, prod, softmax, std, sum, var)
from .ops.shape import (astype, broadcast_to, clone, concatenate, expand_dims, flatten,
                        numel, pad, permute, reshape, squeeze, stack, swapaxes, transpose,
                        unsqueeze)
from .factories import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from .functional import grad, hessian, jacobian, jvp, value_and_grad, vjp
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "Function", "RemovableHandle",
    "get_default_dtype", "set_default_dtype",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "scope",
    "add", "sub", "mul", "div", "neg", "pow", "remainder", "floor_divide",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu", "abs",
    "erf", "gelu", "softplus", "clip", "maximum", "minimum", "where",
    "sum", "mean", "max", "min", "var", "std", "logsumexp", "softmax", "log_softmax",
    "prod", "cumsum", "norm", "all", "any", "argmax", "argmin",
    "reshape", "transpose", "swapaxes", "flatten", "squeeze", "expand_dims",
    "broadcast_to", "concatenate", "cat", "stack", "pad", "astype", "getitem",
    "permute", "unsqueeze", "clone", "numel",
    "matmul", "dot",
    "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye", "randn", "rand",
    "grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian",
    "gradcheck", "gradgradcheck", "GradcheckError",
]

#: PyTorch's name for ``concatenate`` (``ag.cat([a, b], dim=1)``).
cat = concatenate
