"""From a graph of ``Function`` nodes to what will be drawn.

``walk`` turns the graph behind a tensor into flat elements: one per op, one
per op output (the intermediate tensors) and one per leaf, with edges in the
forward direction; each edge names the tensor whose gradient it carries back.
Values and gradients are gathered here from every place the engine leaves
them (the root, retained tensors, saved tensors, leaves' ``.grad`` and a
``BackwardRecording``). ``layout`` (in ``collapse.py``) then decides what
becomes a box of its own.
"""
import sys

import numpy as np

from .inputs import notes_of
from .record import grad_norm, harvest_values

__all__ = ["Elem", "Graph", "walk"]


class Elem:
    """One op, intermediate tensor or leaf of the graph."""

    __slots__ = ("idx", "kind", "key", "path", "name", "op", "shape", "dtype", "value",
                 "grad", "norm", "step", "known", "output", "param", "retained", "role")

    def __init__(self, idx, kind, key, path):
        self.idx, self.kind, self.key, self.path = idx, kind, key, path
        self.name = self.op = self.value = self.grad = self.norm = self.role = None
        self.step = self.known = None     # backward step that visits it / completes its grad
        self.output = self.param = self.retained = False
        self.shape, self.dtype = (), None


class Graph:
    """Elements and forward edges ``(src, dst, carrier)`` of the graph behind ``root``."""

    def __init__(self):
        self.elems = []
        self.edges = []
        self.output = None          # index of the output element
        self.recorded = False       # whether gradients come from a recording
        self.nsteps = 0
        self.pos = []               # forward-order position of each element

    def add(self, kind, key, path):
        e = Elem(len(self.elems), kind, key, path)
        self.elems.append(e)
        return e

    def counts(self):
        kinds = [e.kind for e in self.elems]
        return {"ops": kinds.count("op"), "tensors": kinds.count("tensor"),
                "leaves": kinds.count("leaf"), "constants": kinds.count("const")}


def split_scope(scope):
    return tuple(p for p in scope.split("/") if p) if scope else ()


def _common(a, b):
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


def _name_map(names):
    """``names`` as {id(node or leaf): (name, tensor)}; entries that are not tensors are skipped.

    Accepts a dict name -> tensor (``locals()``, ``dict(model.named_parameters())``),
    a dict tensor -> name, or (name, tensor) pairs.
    """
    out = {}
    if not names:
        return out
    pairs = names.items() if hasattr(names, "items") else names
    for a, b in pairs:
        name, t = (a, b) if isinstance(a, str) else (b, a)
        if not getattr(t, "_is_tensor", False) or not isinstance(name, str):
            continue
        key = t.grad_fn if t.grad_fn is not None else t
        out.setdefault(id(key), (name, t))
    return out


def _is_param(t):
    # nn is built on autograd_core, so it is never imported here: the class
    # name (or any base's) is enough to recognise nn.Parameter.
    return any(c.__name__ == "Parameter" for c in type(t).__mro__)


def walk(root, recording=None, names=None, values=6, model=None):
    """The ``Graph`` of everything ``root`` was computed from (iterative, any size).

    ``model``: see ``name_parameters``; False names no parameters by path.
    """
    if not getattr(root, "_is_tensor", False):
        raise TypeError(f"draw_graph needs a Tensor, got {type(root).__name__}")
    g = Graph()
    g.recorded = recording is not None
    given = _name_map(names)
    small = {}                                  # id(node) -> small forward value
    found_names = {}                            # id(node) -> name of its output tensor

    def put(node, data):
        small.setdefault(id(node), data)

    ops, op_elem, leaf_elem = [], {}, {}
    top = root.grad_fn
    if top is not None:
        stack = [top]
        op_elem[id(top)] = None
        while stack:
            node = stack.pop()
            ops.append(node)
            for e in node.next:
                if e is not None and not e._is_tensor and id(e) not in op_elem:
                    op_elem[id(e)] = None
                    stack.append(e)

    # Elements: ops (and their outputs) inputs-first, so DOT lists them in
    # forward order, which keeps dot's layout close to the code's order.
    for node in reversed(ops):
        path = split_scope(node.scope)
        op = g.add("op", node, path)
        op.name = node.name
        t = g.add("tensor", node, path)
        t.op = op.idx
        t.shape, t.dtype = node.shape, node.dtype
        op.shape, op.dtype = t.shape, t.dtype
        op_elem[id(node)] = op.idx
        extra = node.extra
        if extra is not None and extra.name is not None:    # ``t.name = ...`` on a result
            found_names[id(node)] = extra.name
        if extra is not None and extra.retained is not None:
            rt = extra.retained()
            if rt is not None:
                t.retained = True
                if rt.name is not None:
                    found_names[id(node)] = rt.name
                if rt.data.size <= values:
                    put(node, rt.data)
                if rt.grad is not None and recording is None:
                    t.norm = grad_norm(rt.grad.data)
                    t.grad = rt.grad.data if rt.grad.data.size <= values else None
        if node.saved:
            harvest_values(node, values, put)
            for s in node.saved:
                if getattr(s, "_is_tensor", False) and s.grad_fn is not None and s._extra:
                    if s.name is not None:
                        found_names.setdefault(id(s.grad_fn), s.name)

    # Edges, and leaves (placed in the deepest scope all their consumers share).
    leaf_paths = {}
    for node in ops:
        dst = op_elem[id(node)]
        dpath = g.elems[dst].path
        notes = notes_of(node)
        for i, e in enumerate(node.next):
            if e is None:
                note = notes[i] if notes is not None and i < len(notes) else None
                if note is not None:                  # data, a target, a constant
                    c = g.add("const", None, dpath)
                    c.shape, c.dtype = note.shape, note.dtype
                    v = note.value
                    if v is not None and values > 0:
                        v = np.asarray(v, dtype=note.dtype)
                        if v.size <= values:
                            c.value = v
                    c.name, c.role, c.op = note.name, note.role, dst
                    g.edges.append((c.idx, dst, c.idx))
                continue
            if e._is_tensor:
                li = leaf_elem.get(id(e))
                if li is None:
                    leaf = g.add("leaf", e, dpath)
                    li = leaf_elem[id(e)] = leaf.idx
                    leaf_paths[li] = dpath
                else:
                    leaf_paths[li] = _common(leaf_paths[li], dpath)
                src = li
            else:
                src = op_elem[id(e)] + 1              # the op's output tensor
            g.edges.append((src, dst, src))
        g.edges.append((dst, dst + 1, dst + 1))       # op -> its output
    for li, path in leaf_paths.items():
        g.elems[li].path = path

    if top is None:                                   # a leaf drawn on its own
        leaf = g.add("leaf", root, ())
        g.output = leaf.idx
    else:
        g.output = op_elem[id(top)] + 1
        if root.data.size <= values:
            put(top, root.data)
        if root.name is not None:
            found_names[id(top)] = root.name
    g.elems[g.output].output = True
    # Where each element comes in forward order; a leaf just before its first
    # use (dot lays out more cleanly when nodes are declared in that order).
    g.pos = [float(e.idx) for e in g.elems]
    for src, dst, _ in g.edges:
        if g.elems[src].kind in ("leaf", "const"):
            g.pos[src] = min(g.pos[src], dst - 0.5)

    # Values, names and gradients of every element.
    for e in g.elems:
        key = e.key
        if e.kind == "leaf":
            e.shape, e.dtype = key.shape, key.dtype
            e.param = _is_param(key)
            e.name = given[id(key)][0] if id(key) in given else key.name
            if key.data.size <= values:
                e.value = key.data
            if recording is None and key.grad is not None:
                e.norm = grad_norm(key.grad.data)
                e.grad = key.grad.data if key.grad.data.size <= values else None
        elif e.kind == "tensor":
            e.value = small.get(id(key))
            e.name = found_names.get(id(key))
            if id(key) in given:            # a tensor the caller named: its value is at hand
                e.name, t = given[id(key)]
                if e.value is None and t.data.size <= values:
                    e.value = t.data
    if model is not False:
        name_parameters(g, model)
    if recording is not None:
        apply_recording(g, recording, values)
    return g


def _is_module(v):
    # nn is never imported here: a Module is anything with named_parameters
    # and a parameter registry (checked on the type, so no property runs).
    t = type(v)
    return (callable(getattr(t, "named_parameters", None)) and not isinstance(v, type)
            and "_parameters" in getattr(v, "__dict__", ()))


def _caller_modules():
    """Modules in the local and global variables of the first caller outside autograd_core."""
    f = sys._getframe(1)
    while f is not None and f.f_globals.get("__name__", "").startswith("autograd_core"):
        f = f.f_back
    if f is None:
        return []
    found = {}
    for space in (f.f_locals, f.f_globals):
        for v in list(space.values()):
            if id(v) not in found and _is_module(v):
                found[id(v)] = v
    return list(found.values())


def name_parameters(g, model=None):
    """Name the unnamed ``nn.Parameter`` leaves of ``g`` by their path in a model ("0.weight").

    ``model``: a Module (anything with ``named_parameters()``), a list of them,
    or None: then the modules in the variables of the code that asked for the
    drawing are used, the one holding the most of the graph's parameters first,
    so paths are those from the outermost model.
    """
    todo = {id(e.key): e for e in g.elems if e.kind == "leaf" and e.param and e.name is None}
    if not todo:
        return
    if model is None:
        mods = _caller_modules()
    else:
        mods = list(model) if isinstance(model, (list, tuple)) else [model]
        for m in mods:
            if not callable(getattr(m, "named_parameters", None)):
                raise TypeError(f"model= must be an nn.Module (with named_parameters()), "
                                f"got {type(m).__name__}")
    tables = []
    for m in mods:
        try:
            table = {id(p): n for n, p in m.named_parameters()}
        except Exception:           # a user object that only looks like a Module
            continue
        hits = sum(1 for k in table if k in todo)
        if hits:
            tables.append((hits, len(table), table))
    tables.sort(key=lambda t: (-t[0], -t[1]))
    for _, _, table in tables:
        for k, n in table.items():
            e = todo.get(k)
            if e is not None and e.name is None:
                e.name = n


def apply_recording(g, rec, values=6):
    """Steps (renumbered 1..n within this graph), gradients and values from a recording."""
    g.recorded = True
    visits = {}
    for e in g.elems:
        if e.kind in ("op", "leaf"):      # an op and its output share the node's visit
            v = rec.get(e.key)
            if v is not None:
                visits[e.idx] = v
    ranks = {idx: r for r, idx in enumerate(sorted(visits, key=lambda i: visits[i].step), 1)}
    g.nsteps = len(ranks)
    for idx, v in visits.items():
        e = g.elems[idx]
        e.step = ranks[idx]
        target = g.elems[idx + 1] if e.kind == "op" else e
        target.norm = v.norm
        target.grad = v.grad if v.grad is not None and v.grad.size <= values else None
        target.known = e.step
    for e in g.elems:
        if e.kind == "tensor" and e.value is None:
            e.value = rec.forward_value(e.key)
