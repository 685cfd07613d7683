"""Module and Parameter: registration, traversal, modes, state_dict, repr, scopes, hooks."""
import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4, seed=0)
        self.bn = nn.BatchNorm1d(4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2, seed=1)

    def forward(self, x):
        return self.fc2(self.act(self.bn(self.fc1(x))))


# -- Parameter ------------------------------------------------------------------------
def test_parameter_is_a_float_leaf_that_requires_grad():
    p = nn.Parameter([1.0, 2.0])
    assert isinstance(p, ag.Tensor) and p.is_leaf and p.requires_grad
    assert p.dtype == np.float32
    assert nn.Parameter(np.zeros(2)).dtype == np.float64          # float arrays keep dtype
    assert nn.Parameter([1, 2]).dtype == np.float32               # ints become float
    assert nn.Parameter(np.ones(3), requires_grad=False).requires_grad is False
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:\ntensor(")


def test_parameter_copies_its_data_and_ops_give_plain_tensors():
    a = np.ones(2, np.float32)
    p = nn.Parameter(a)
    p.data[0] = 5
    assert a[0] == 1
    assert type(p * 2) is ag.Tensor and type(p.detach()) is ag.Tensor


def test_parameter_rejects_integer_dtype():
    with pytest.raises(TypeError, match="floating"):
        nn.Parameter([1, 2], dtype=np.int64)


# -- registration ---------------------------------------------------------------------
def test_assignment_registers_parameters_and_modules_in_order():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["fc1", "bn", "act", "fc2"]
    assert [n for n, _ in net.named_parameters()] == [
        "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"]
    assert list(net.children())[0] is net.fc1
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "bn", "act", "fc2"]
    assert list(net.modules())[0] is net
    assert [n for n, _ in net.named_buffers()] == [
        "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert len(list(net.buffers())) == 3
    assert len(list(net.parameters(recurse=False))) == 0


def test_assigning_none_unregisters_and_del_removes():
    net = Net()
    net.fc2 = None
    assert net.fc2 is None
    assert "fc2" not in dict(net.named_children())
    assert not any(k.startswith("fc2") for k in net.state_dict())
    lin = nn.Linear(2, 2)
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    lin.weight = nn.Parameter(np.ones((2, 2)))
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    del lin.weight
    assert list(lin.parameters()) == [] and not hasattr(lin, "weight")
    lin.weight = ag.tensor(np.ones((2, 2)))           # no longer registered: a plain attribute
    assert list(lin.parameters()) == []


def test_assigning_the_wrong_kind_to_a_registered_name_raises_as_pytorch():
    # A plain Tensor over a parameter used to drop it silently from parameters(),
    # state_dict() and the optimiser; PyTorch raises, and so does nn now.
    net = Net()
    before = [n for n, _ in net.named_parameters()]
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        net.fc1.weight = ag.tensor(np.ones((4, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="cannot assign ndarray as parameter 'bias'"):
        net.fc1.bias = np.zeros(4)
    with pytest.raises(TypeError, match="cannot assign function as child module 'act'"):
        net.act = lambda x: x
    with pytest.raises(TypeError, match="cannot assign list as buffer 'running_mean'"):
        net.bn.running_mean = [0.0] * 4
    assert [n for n, _ in net.named_parameters()] == before
    assert "bn.running_mean" in net.state_dict() and isinstance(net.act, nn.ReLU)
    net.bn.running_mean = np.full(4, 2.0)                # the right kind still replaces
    assert np.all(net.state_dict()["bn.running_mean"] == 2.0)


def test_reassigning_a_name_moves_it_between_kinds():
    m = nn.Module()
    m.x = nn.Parameter([1.0])
    m.x = nn.Linear(1, 1)
    assert [n for n, _ in m.named_parameters()] == ["x.weight", "x.bias"]
    m.x = nn.Parameter([1.0])
    assert list(m.children()) == [] and [n for n, _ in m.named_parameters()] == ["x"]


def test_buffers_are_registered_saved_and_updated_by_assignment():
    m = nn.Module()
    m.register_buffer("stat", np.zeros(3))
    assert isinstance(m.stat, ag.Tensor) and not m.stat.requires_grad
    m.stat = np.ones(3)
    assert np.array_equal(m.state_dict()["stat"], np.ones(3))
    m.register_buffer("scratch", np.zeros(1), persistent=False)
    assert "scratch" not in m.state_dict() and len(list(m.buffers())) == 2
    m.stat = None
    assert m.stat is None and "stat" not in m.state_dict()
    with pytest.raises(TypeError, match="must not require grad"):
        m.register_buffer("bad", ag.tensor([1.0], requires_grad=True))
    with pytest.raises(KeyError):
        m.register_buffer("a.b", np.zeros(1))
    with pytest.raises(KeyError, match="'weight' already exists"):
        nn.Linear(1, 1).register_buffer("weight", np.zeros(1))


def test_assigning_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_missing_attribute_error_names_the_class():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        nn.Linear(1, 1).nope


def test_shared_parameters_and_modules_are_listed_once():
    m = nn.Module()
    m.a = nn.Linear(2, 2)
    m.b = m.a                                   # shared module
    m.c = nn.Linear(2, 2)
    m.c.weight = m.a.weight                     # shared parameter
    names = [n for n, _ in m.named_parameters()]
    assert names == ["a.weight", "a.bias", "c.bias"]
    assert len(list(m.parameters())) == 3
    assert [n for n, _ in m.named_modules()] == ["", "a", "c"]
    assert len(list(m.children())) == 2
    # state_dict lists every name, as PyTorch does
    assert list(m.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias",
                                    "c.weight", "c.bias"]


def test_register_helpers_validate():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter([1.0]))
    m.add_module("sub", nn.ReLU())
    assert m.w is m._parameters["w"] and m.sub is m._modules["sub"]
    with pytest.raises(TypeError, match="Parameter or None expected"):
        m.register_parameter("v", ag.tensor([1.0]))
    with pytest.raises(TypeError, match="not a Module"):
        m.add_module("s", 3)
    assert {"w", "sub"} <= set(dir(m))


def test_get_submodule_and_apply():
    model = nn.MLP([2, 4, 2], seed=0)
    assert model.get_submodule("layers.0") is model.layers[0]
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="no submodule 'nine'"):
        model.get_submodule("layers.nine")
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "MLP"]


# -- modes and gradients ----------------------------------------------------------------
def test_train_and_eval_switch_every_module():
    net = Net()
    assert net.training and net.bn.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("no")


def test_zero_grad_sets_none_or_zeros():
    net = Net()
    net(ag.randn(5, 3, seed=0)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    held = net.fc1.weight.grad
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.data == 0) for p in net.parameters())
    assert net.fc1.weight.grad is held                  # zeroed in place, as PyTorch
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_freezes_and_to_casts():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.to(np.float64)
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.bn.running_mean.dtype == np.float64
    assert net.bn.num_batches_tracked.dtype == np.int64
    with pytest.raises(TypeError):
        net.to(np.int32)


# -- state_dict -------------------------------------------------------------------------
def test_state_dict_keys_order_and_copies():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean",
                        "bn.running_var", "bn.num_batches_tracked", "fc2.weight", "fc2.bias"]
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    sd["fc1.weight"][...] = 7
    assert not np.any(net.fc1.weight.data == 7)
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_load_state_dict_round_trip_writes_in_place():
    a, b = Net(), Net()
    b.fc1.reset_parameters(seed=5)
    w = b.fc1.weight
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.fc1.weight is w                         # same Parameter (optimizers keep working)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert np.array_equal(va, vb), k


def test_load_state_dict_accepts_tensors_and_casts_dtype():
    net = nn.Linear(2, 2)
    sd = {"weight": ag.tensor(np.full((2, 2), 0.5)), "bias": np.array([1, 2])}
    net.load_state_dict(sd)
    assert net.weight.dtype == np.float32 and np.all(net.weight.data == 0.5)
    assert np.array_equal(net.bias.data, [1.0, 2.0])


@pytest.mark.parametrize("change, pattern", [
    (lambda sd: sd.pop("bn.running_var"), r'Missing key\(s\) in state_dict: "bn.running_var"'),
    (lambda sd: sd.__setitem__("fc3.weight", np.zeros(1)),
     r'Unexpected key\(s\) in state_dict: "fc3.weight"'),
    (lambda sd: sd.__setitem__("fc2.weight", np.zeros((3, 4))),
     r"size mismatch for fc2.weight: .*\(3, 4\).*\(2, 4\)"),
    (lambda sd: sd.__setitem__("fc2.bias", np.array(["a", "b"])), "wrong dtype for fc2.bias"),
])
def test_load_state_dict_errors_name_the_key_and_change_nothing(change, pattern):
    net, other = Net(), Net()
    other.fc1.reset_parameters(seed=9)
    other.bn.running_mean.data[...] = 3.0
    sd = other.state_dict()
    change(sd)
    before = net.state_dict()
    with pytest.raises(RuntimeError, match=pattern):
        net.load_state_dict(sd)
    after = net.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_into_read_only_arrays_writes_everything():
    # Values are written in place; a read-only array (assigned to .data by hand)
    # must not make the load fail half-way, after the first keys were written.
    net, other = Net(), Net()
    other.fc1.reset_parameters(seed=9)
    other.bn.running_mean.data[...] = 3.0
    ro = np.zeros(4, np.float32)
    ro.flags.writeable = False
    net.bn.running_mean.data = ro
    net.load_state_dict(other.state_dict())
    for k, v in other.state_dict().items():
        assert np.array_equal(net.state_dict()[k], v), k
    assert net.bn.running_mean.dtype == np.float32


def test_load_state_dict_non_strict_reports_keys_but_checks_shapes():
    net = Net()
    sd = Net().state_dict()
    del sd["fc2.bias"]
    sd["extra"] = np.zeros(2)
    missing, unexpected = net.load_state_dict(sd, strict=False)
    assert missing == ["fc2.bias"] and unexpected == ["extra"]
    sd["fc1.bias"] = np.zeros(7)
    with pytest.raises(RuntimeError, match="size mismatch for fc1.bias"):
        net.load_state_dict(sd, strict=False)


# -- repr --------------------------------------------------------------------------------
def test_repr_is_nested_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Dropout(0.2)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): Tanh()\n"
        "    (1): Dropout(p=0.2)\n"
        "  )\n"
        ")")
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.Linear(1, 2, bias=False, dtype=np.float64)) == \
        "Linear(in_features=1, out_features=2, bias=False, dtype=float64)"


# -- scopes ------------------------------------------------------------------------------
def _scopes(out):
    """Every scope on nodes reachable from out.grad_fn."""
    seen, stack, scopes = set(), [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, ag.Tensor) or id(node) in seen:
            continue
        seen.add(id(node))
        scopes.add(node.scope)
        stack.extend(node.inputs)
    return scopes


def test_calling_a_model_tags_nodes_with_attribute_paths():
    net = Net()
    out = net(ag.randn(4, 3, seed=0))
    assert out.grad_fn.scope == "Net/fc2"
    assert _scopes(out) == {"Net/fc1", "Net/bn", "Net/act", "Net/fc2"}
    model = nn.MLP([2, 3, 3, 1], seed=0)
    out = model(ag.randn(4, 2, seed=0))
    assert out.grad_fn.scope == "MLP/layers/4"
    assert _scopes(out) == {f"MLP/layers/{i}" for i in range(5)}


def test_scope_names_follow_registration_and_nest_in_user_scopes():
    lin = nn.Linear(2, 2)
    x = ag.randn(1, 2, seed=0)
    assert lin(x).grad_fn.scope == "Linear"           # a root: its class name
    outer = nn.Module()
    outer.head = lin
    assert lin(x).grad_fn.scope == "head"              # called directly: its own name
    with ag.scope("experiment"):
        assert lin(x).grad_fn.scope == "experiment/head"
    assert outer.head is lin
    outer.other = lin                                  # the last registration names it
    assert lin(x).grad_fn.scope == "other"


def test_residual_add_is_in_the_residual_scope():
    model = nn.MLP([3, 3, 3, 1], residual=True, seed=0)
    out = model.layers[1](ag.randn(2, 3, seed=0))
    assert out.grad_fn.name == "Add" and out.grad_fn.scope == "1"
    out = model(ag.randn(2, 3, seed=0))
    assert "MLP/layers/1/module/0" in _scopes(out)


# -- hooks and calling ---------------------------------------------------------------------
def test_forward_hooks_see_and_may_replace_values():
    lin = nn.Linear(2, 2, seed=0)
    seen = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    out = lin(ag.ones(3, 2))
    assert seen == [(3, 2)]
    assert np.allclose(out.data, lin.bias.data)        # the input was zeroed
    h1.remove(), h2.remove(), h2.remove()
    lin(ag.ones(3, 2))
    assert seen == [(3, 2)]


def test_base_module_forward_is_abstract():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)


def test_deepcopy_gives_an_independent_model():
    net = Net()
    twin = copy.deepcopy(net)
    twin.fc1.weight.data[...] = 0
    assert not np.all(net.fc1.weight.data == 0)
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in net.named_parameters()]
    x = ag.randn(3, 3, seed=0)
    assert twin(x).grad_fn.scope == "Net/fc2"


# -- no reference cycles ---------------------------------------------------------------------
def test_calling_and_training_a_model_makes_no_reference_cycles():
    # Graphs must be freed by reference counting alone: a cycle (a module or a
    # node keeping its own output alive) would hold every activation of a step
    # until the garbage collector happens to run.
    import gc
    from nn import optim
    model = nn.MLP([4, 8, 8, 3], norm="batch", residual=True, dropout=0.1, seed=0)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    x, y = ag.randn(16, 4, seed=0), np.arange(16) % 3
    handle = model.layers[0].register_forward_hook(lambda m, args, out: None)
    gc.collect()
    gc.disable()
    try:
        for _ in range(2):
            loss = nn.CrossEntropyLoss()(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model(x)                                        # a graph never backpropagated
        del loss
        # Only this project's objects count: other libraries' background
        # threads (a Dask cluster left by another test) may make cycles meanwhile.
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        ours = [type(o).__name__ for o in gc.garbage
                if isinstance(o, np.ndarray)
                or type(o).__module__.split(".")[0] in ("autograd_core", "nn")]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        handle.remove()


@pytest.mark.parametrize("strict", [True, False])
def test_loading_a_whole_checkpoint_says_to_pass_its_model_part(tmp_path, strict):
    net = Net()
    before = net.state_dict()
    opt = nn.optim.SGD(net.parameters(), lr=0.1)
    nn.save({"model": Net().state_dict(), "optimizer": opt.state_dict(), "epoch": 3},
            tmp_path / "ckpt.npz")
    ckpt = nn.load(tmp_path / "ckpt.npz")
    with pytest.raises(RuntimeError, match=r"nested dicts under 'model', 'optimizer'.*"
                                           r"load_state_dict\(checkpoint\['model'\]\)"):
        net.load_state_dict(ckpt, strict=strict)
    assert all(np.array_equal(before[k], v) for k, v in net.state_dict().items())
    net.load_state_dict(ckpt["model"], strict=strict)
    # strict=False still loads what matches, next to keys of other kinds.
    sd = Net().state_dict()
    sd["extra"] = {"a": 1}
    assert net.load_state_dict(sd, strict=False).unexpected_keys == ["extra"]
