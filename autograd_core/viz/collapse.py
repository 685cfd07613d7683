"""Deciding what gets a box of its own, so that big graphs stay readable.

A drawing is made of ``Box``es (one element, or many collapsed into one) and
edges between boxes. A graph that would need more than ``max_nodes`` boxes is
shrunk, keeping as much detail as fits:

1. scopes deeper than some depth are drawn as one box each (50 layers become
   50 boxes), trying the deepest depth first (``depth=`` fixes it), and at
   each depth first with intermediate tensors as boxes of their own, then
   folded into the ops that make them;
2. if even one box per top-level scope is too many, chains of boxes (one way
   in, one way out, same scope) are merged into one box;
3. last, only the ``max_nodes`` boxes nearest the output are kept, and one
   box stands for the rest.

Every step taken is described in ``Layout.notes``, which the drawing shows.
"""
import numbers
from collections import Counter, defaultdict, deque

__all__ = ["Box", "Layout", "layout"]


class Box:
    """One node of the drawing: a single element or a collapsed group of them."""

    __slots__ = ("id", "kind", "cluster", "members", "title")

    def __init__(self, id, kind, cluster, members, title=None):
        self.id, self.kind, self.cluster = id, kind, cluster
        self.members = members          # element indices
        self.title = title              # scope path of a group, for its label


class Layout:
    """Boxes, edges ``{(src_id, dst_id): [carrier elems]}``, and what was done."""

    def __init__(self):
        self.boxes = {}
        self.edges = {}
        self.notes = []
        self.depth = None               # scope depth collapsed at, None if not
        self.folded = False
        self.box_of = {}                # elem idx -> box id
        self.groups = {}                # scope path -> id of its collapsed box


def _counter(g, fold):
    """Scope paths of the elements that would be boxes of their own (not the output)."""
    return Counter(e.path for e in g.elems
                   if not e.output and not (fold and e.kind in ("tensor", "const")))


def _count_at(counter, d):
    """How many boxes collapsing every scope deeper than ``d`` leaves."""
    singles = sum(n for p, n in counter.items() if len(p) <= d)
    groups = len({p[:d + 1] for p in counter if len(p) > d})
    return singles + groups + 1         # + the output


def layout(g, depth=None, max_nodes=300, compact=None):
    """Group the elements of ``g`` (a ``model.Graph``) into boxes; see the module doc.

    When it must shrink the drawing, it keeps as much as fits: the deepest
    scope depth first, tensors drawn apart from their ops if possible.
    """
    if isinstance(depth, str) and depth == "layers":
        depth = layer_depth(g)
    elif depth is not None and (not isinstance(depth, numbers.Integral) or depth < 0):
        raise ValueError(f"depth= must be an int >= 0 (0: one box per top-level scope) "
                         f"or \"layers\", got {depth!r}")
    lay = Layout()
    limit = max_nodes if max_nodes else None
    folds = [bool(compact)] if compact is not None else [False, True]
    counters = {f: _counter(g, f) for f in folds}
    max_depth = max((len(p) for p in counters[folds[0]]), default=0)
    fold = folds[0]
    if limit is not None:
        depths = [depth] if depth is not None else range(max_depth, -1, -1)
        choice = None
        for d in depths:
            for f in folds:
                if _count_at(counters[f], d) <= limit:
                    choice = (d, f)
                    break
            if choice:
                break
        depth, fold = choice or (depths[-1], folds[-1])
        n_all = len(g.elems)
        if fold and compact is None:
            lay.notes.append(f"intermediate tensors drawn inside the ops that make them "
                             f"({n_all:,} ops and tensors > max_nodes={limit})")
        if depth is not None and depth < max_depth and len(depths) > 1:
            lay.notes.append(f"scopes deeper than depth={depth} drawn as single boxes "
                             f"(pass depth= to choose)")
    if depth is not None and depth >= max_depth:
        depth = None
    lay.depth = depth
    lay.folded = fold

    # Boxes of single elements, or of scopes collapsed at ``depth``.
    box_of = lay.box_of
    for e in g.elems:
        if fold and e.kind in ("tensor", "const") and not e.output:
            continue                    # joins its op's box below
        if depth is not None and len(e.path) > depth and not e.output:
            key = e.path[:depth + 1]
            bid = lay.groups.get(key)
            if bid is None:
                bid = lay.groups[key] = f"g{len(lay.groups)}"
                lay.boxes[bid] = Box(bid, "group", key[:depth], [], title=key)
            lay.boxes[bid].members.append(e.idx)
            box_of[e.idx] = bid
        else:
            cluster = e.path if depth is None else e.path[:depth]
            bid = f"{e.kind[0]}{e.idx}"
            lay.boxes[bid] = Box(bid, e.kind, cluster, [e.idx])
            box_of[e.idx] = bid
    if fold:
        for e in g.elems:
            if e.kind in ("tensor", "const") and not e.output:
                bid = box_of[e.op]
                box_of[e.idx] = bid
                lay.boxes[bid].members.append(e.idx)

    _connect(g, lay)
    if limit is not None and len(lay.boxes) > limit:
        _merge_chains(g, lay)
    if limit is not None and len(lay.boxes) > limit:
        _truncate(g, lay, limit)
    return lay


def layer_depth(g):
    """The depth to collapse at for one box per layer, or None if scopes never branch.

    The first depth with at least three scopes side by side (else two):
    ``MLP/layers/0``, ``MLP/layers/1``, ... give depth 2, whatever the
    model's scopes are called, and a "model" and a "loss" scope at the top do
    not make the whole model one box.
    """
    paths = {e.path for e in g.elems if e.path}
    counts = [len({p[:d + 1] for p in paths if len(p) > d})
              for d in range(max((len(p) for p in paths), default=0))]
    for least in (3, 2):
        for d, n in enumerate(counts):
            if n >= least:
                return d
    return None


def _connect(g, lay):
    """Edges between boxes; edges inside a box disappear, parallel ones merge."""
    edges = defaultdict(list)
    box_of = lay.box_of
    for src, dst, carrier in g.edges:
        a, b = box_of[src], box_of[dst]
        if a != b:
            edges[(a, b)].append(carrier)
    lay.edges = edges


def _merge_chains(g, lay):
    """Merge runs of boxes with one edge in and one edge out (same cluster) into one."""
    ins, outs = Counter(), Counter()
    for a, b in lay.edges:
        outs[a] += 1
        ins[b] += 1
    boxes = lay.boxes

    def linear(bid):
        box = boxes[bid]
        return (box.kind in ("op", "tensor", "group") and ins[bid] == 1 and outs[bid] == 1
                and not any(g.elems[m].output for m in box.members))
    parent = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x
    for a, b in lay.edges:
        if linear(a) and linear(b) and boxes[a].cluster == boxes[b].cluster:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra
    runs = defaultdict(list)
    for bid in list(boxes):
        runs[find(bid)].append(bid)
    merged = 0
    for root, members in runs.items():
        if len(members) < 3:
            continue
        cid = f"c{len(boxes)}_{root}"
        box = Box(cid, "chain", boxes[root].cluster, [])
        for bid in members:
            box.members.extend(boxes.pop(bid).members)
        boxes[cid] = box
        for m in box.members:
            lay.box_of[m] = cid
        merged += len(members)
    if merged:
        lay.notes.append(f"{merged:,} boxes in chains merged into "
                         f"{sum(1 for b in boxes.values() if b.kind == 'chain'):,}")
        _connect(g, lay)


def _truncate(g, lay, limit):
    """Keep the ``limit`` boxes nearest the output; one box stands for the rest."""
    preds = defaultdict(list)
    for a, b in lay.edges:
        preds[b].append(a)
    start = lay.box_of[g.output]
    keep = {start}
    queue = deque([start])
    while queue and len(keep) < limit - 1:
        b = queue.popleft()
        for a in preds[b]:
            if a not in keep and len(keep) < limit - 1:
                keep.add(a)
                queue.append(a)
    dropped = [bid for bid in lay.boxes if bid not in keep]
    more = Box("more", "more", (), [])
    for bid in dropped:
        box = lay.boxes.pop(bid)
        more.members.extend(box.members)
    lay.boxes["more"] = more
    for m in more.members:
        lay.box_of[m] = "more"
    lay.notes.append(f"only the {len(keep):,} boxes nearest the output are drawn; "
                     f"{len(dropped):,} more are in the grey box (raise max_nodes)")
    _connect(g, lay)
    # Edges into the left-out part lead nowhere worth seeing, and long edges
    # from all over the drawing into one box make dot's layout very slow.
    for key in [k for k in lay.edges if k[1] == "more"]:
        del lay.edges[key]
