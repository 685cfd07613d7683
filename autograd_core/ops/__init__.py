"""The differentiable operations, one module per family.

Each primitive is a ``Function`` subclass with its forward and backward side by
side; backwards are written with Tensor ops, so every gradient can itself be
differentiated. Everything that can be composed from primitives is composed.
"""
