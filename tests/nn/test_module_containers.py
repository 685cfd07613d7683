"""ModuleList and ModuleDict (registration, list/dict operations, repr, state_dict as
PyTorch's), and the warning for modules held in a plain list, tuple or dict attribute."""
import copy
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn


def _lin(i, o=2):
    return nn.Linear(i, o, seed=i)


class ListNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4),
                                     nn.Linear(4, 2, seed=1)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class DictNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(3, 4, seed=0)
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 2, seed=1),
                                    "reg": nn.Linear(4, 1, seed=2)})

    def forward(self, x):
        h = self.trunk(x)
        return {k: head(h) for k, head in self.heads.items()}


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# -- ModuleList: registration -------------------------------------------------------
def test_modulelist_registers_children_by_position():
    net = ListNet()
    assert [n for n, _ in net.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.2.weight", "layers.2.bias"]
    assert list(net.state_dict()) == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked",
        "layers.2.weight", "layers.2.bias"]
    assert len(list(net.parameters())) == 6
    assert [n for n, _ in net.named_modules()] == ["", "layers", "layers.0", "layers.1",
                                                   "layers.2"]
    assert net.get_submodule("layers.1") is net.layers[1]
    assert net(np.ones((5, 3), np.float32)).shape == (5, 2)


def test_modulelist_train_eval_reach_the_entries():
    net = ListNet()
    net.eval()
    assert not net.layers.training and all(not m.training for m in net.layers)
    net.train()
    assert all(m.training for m in net.layers)


def test_empty_and_none():
    assert len(nn.ModuleList()) == 0 and len(nn.ModuleList(None)) == 0
    assert list(nn.ModuleList().parameters()) == []
    assert nn.ModuleList().state_dict() == OrderedDict()


def test_modulelist_accepts_any_iterable_of_modules():
    lst = nn.ModuleList(_lin(i) for i in range(1, 4))
    assert [m.in_features for m in lst] == [1, 2, 3]
    seq = nn.Sequential(_lin(1), _lin(2))
    assert [m.in_features for m in nn.ModuleList(seq)] == [1, 2]
    assert [m.in_features for m in nn.ModuleList(nn.ModuleList([_lin(5)]))] == [5]


# -- ModuleList: list operations ------------------------------------------------------
def test_indexing_negative_and_out_of_range():
    a, b, c = _lin(1), _lin(2), _lin(3)
    lst = nn.ModuleList([a, b, c])
    assert lst[0] is a and lst[2] is c and lst[-1] is c and lst[-3] is a
    assert lst[np.int64(1)] is b
    with pytest.raises(IndexError, match="index 3 is out of range for 3"):
        lst[3]
    with pytest.raises(IndexError, match="-4"):
        lst[-4]
    with pytest.raises(TypeError, match="integers or slices, got str"):
        lst["0"]


def test_slice_is_a_new_renumbered_modulelist_of_the_same_modules():
    mods = [_lin(i) for i in range(1, 6)]
    lst = nn.ModuleList(mods)
    part = lst[1:4:2]
    assert isinstance(part, nn.ModuleList)
    assert list(part) == [mods[1], mods[3]]
    assert list(part.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert list(lst[::-1]) == mods[::-1]
    assert len(lst) == 5                                       # the original is untouched


def test_append_extend_insert_setitem_pop():
    a, b, c, d, e = (_lin(i) for i in range(1, 6))
    lst = nn.ModuleList()
    assert lst.append(a) is lst
    assert lst.extend([b, c]) is lst
    lst.insert(1, d)                              # a d b c
    assert list(lst) == [a, d, b, c]
    assert list(lst._modules) == ["0", "1", "2", "3"]
    lst.insert(-1, e)                             # as list.insert: a d b e c
    assert list(lst) == [a, d, b, e, c]
    lst.insert(100, a)                            # past the end: appended
    assert lst[-1] is a and len(lst) == 6
    lst[-1] = d
    assert lst[5] is d
    assert lst.pop() is d and len(lst) == 5
    assert lst.pop(0) is a and list(lst) == [d, b, e, c]
    assert list(lst.state_dict())[:2] == ["0.weight", "0.bias"]


def test_delitem_renumbers_as_pytorch():
    mods = [_lin(i) for i in range(1, 6)]
    lst = nn.ModuleList(mods)
    del lst[1]
    assert list(lst) == [mods[0]] + mods[2:]
    assert list(lst._modules) == ["0", "1", "2", "3"]
    del lst[-1]
    assert list(lst) == [mods[0], mods[2], mods[3]]
    del lst[0:3:2]
    assert list(lst) == [mods[2]] and list(lst._modules) == ["0"]
    assert list(lst.state_dict()) == ["0.weight", "0.bias"]
    with pytest.raises(IndexError):
        del lst[1]


def test_add_and_iadd():
    a, b, c = _lin(1), _lin(2), _lin(3)
    x = nn.ModuleList([a])
    y = nn.ModuleList([b, c])
    z = x + y
    assert isinstance(z, nn.ModuleList) and list(z) == [a, b, c]
    assert len(x) == 1 and len(y) == 2                         # operands untouched
    assert list((x + [c]).state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    x += y
    assert list(x) == [a, b, c]


def test_len_iteration_and_membership():
    a, b = _lin(1), _lin(2)
    lst = nn.ModuleList([a, b])
    assert len(lst) == 2 and [m for m in lst] == [a, b]
    assert a in lst and _lin(1) not in lst


def test_the_same_module_twice_is_one_set_of_parameters():
    a = _lin(3)
    lst = nn.ModuleList([a, a])
    assert len(lst) == 2 and len(list(lst.parameters())) == 2
    assert list(lst.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_non_module_entries_are_type_errors_naming_position_and_type():
    with pytest.raises(TypeError, match=r"position 1 is a int, not a Module"):
        nn.ModuleList([_lin(1), 3])
    lst = nn.ModuleList([_lin(1)])
    with pytest.raises(TypeError, match=r"position 1 is a function"):
        lst.append(lambda x: x)
    with pytest.raises(TypeError, match=r"position 2 is a NoneType"):
        lst.extend([_lin(2), None])
    assert len(lst) == 1                          # a failed extend adds nothing
    with pytest.raises(TypeError, match=r"position 0 is a str"):
        lst[0] = "relu"
    with pytest.raises(TypeError, match=r"position 0 is a ndarray"):
        lst.insert(0, np.ones(2))
    with pytest.raises(TypeError, match="iterable of modules, got int"):
        lst.extend(3)
    with pytest.raises(TypeError, match="use append"):
        lst.extend(_lin(3))
    with pytest.raises(TypeError, match="slice assignment"):
        lst[0:1] = [_lin(2)]
    assert len(lst) == 1


def test_calling_a_modulelist_says_to_iterate():
    lst = nn.ModuleList([_lin(2)])
    with pytest.raises(NotImplementedError, match=r"ModuleList has no forward.*iterate"):
        lst(np.ones((1, 2)))
    with pytest.raises(NotImplementedError, match="nn.Sequential"):
        nn.Sequential(lst)(np.ones((1, 2)))


def test_modulelist_repr_compresses_runs_as_pytorch():
    lst = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3)])
    assert repr(lst) == (
        "ModuleList(\n"
        "  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (2): ReLU()\n"
        "  (3): Linear(in_features=2, out_features=3, bias=True)\n"
        ")")
    assert repr(nn.ModuleList()) == "ModuleList()"
    net = ListNet()
    assert repr(net).startswith("ListNet(\n  (layers): ModuleList(\n    (0): Linear(")


def test_scopes_follow_the_renumbering():
    a, b = _lin(2), _lin(2)
    lst = nn.ModuleList([a, b])
    del lst[0]
    assert lst[0] is b
    y = b(ag.ones(1, 2))
    assert y.grad_fn.scope.split("/")[-1] == "0"               # named by its new position


def test_deepcopy_keeps_the_structure():
    net = ListNet()
    twin = copy.deepcopy(net)
    assert list(twin.state_dict()) == list(net.state_dict())
    assert twin.layers[0] is not net.layers[0]
    np.testing.assert_array_equal(twin.layers[0].weight.data, net.layers[0].weight.data)


# -- ModuleDict -----------------------------------------------------------------------
def test_moduledict_registers_children_by_key_in_order():
    net = DictNet()
    assert list(net.state_dict()) == ["trunk.weight", "trunk.bias", "heads.cls.weight",
                                      "heads.cls.bias", "heads.reg.weight", "heads.reg.bias"]
    assert [n for n, _ in net.named_parameters()][2:] == [
        "heads.cls.weight", "heads.cls.bias", "heads.reg.weight", "heads.reg.bias"]
    out = net(np.ones((3, 3), np.float32))
    assert out["cls"].shape == (3, 2) and out["reg"].shape == (3, 1)
    net.eval()
    assert not net.heads["cls"].training
    assert repr(net.heads) == (
        "ModuleDict(\n"
        "  (cls): Linear(in_features=4, out_features=2, bias=True)\n"
        "  (reg): Linear(in_features=4, out_features=1, bias=True)\n"
        ")")
    assert repr(nn.ModuleDict()) == "ModuleDict()"


def test_moduledict_mapping_operations():
    a, b, c = _lin(1), _lin(2), _lin(3)
    md = nn.ModuleDict(OrderedDict([("b", b), ("a", a)]))
    assert list(md) == ["b", "a"] and list(md.keys()) == ["b", "a"]
    assert list(md.values()) == [b, a] and list(md.items()) == [("b", b), ("a", a)]
    assert len(md) == 2 and "a" in md and "z" not in md and 3 not in md
    assert md["a"] is a
    md["c"] = c
    assert list(md) == ["b", "a", "c"]
    md["b"] = c                                                # replacing keeps the place
    assert list(md) == ["b", "a", "c"] and md["b"] is c
    del md["a"]
    assert list(md) == ["b", "c"]
    assert md.pop("c") is c and list(md) == ["b"]
    md.update({"x": a, "y": b})
    md.update([("z", c)])
    md.update(nn.ModuleDict({"w": a}))
    assert list(md) == ["b", "x", "y", "z", "w"]
    assert list(md.state_dict())[:4] == ["b.weight", "b.bias", "x.weight", "x.bias"]
    md.clear()
    assert len(md) == 0 and list(md.parameters()) == [] and md.state_dict() == OrderedDict()
    with pytest.raises(KeyError, match="'missing'"):
        md["missing"]
    with pytest.raises(KeyError, match="'missing'"):
        del md["missing"]
    with pytest.raises(KeyError):
        md.pop("missing")


def test_moduledict_keys_are_checked():
    md = nn.ModuleDict()
    with pytest.raises(KeyError, match=r"'a\.b' contains '\.'"):
        md["a.b"] = _lin(1)
    with pytest.raises(KeyError, match=r"contains"):
        nn.ModuleDict({"enc.fc": _lin(1)})
    with pytest.raises(TypeError, match="keys must be strings, got int 0"):
        md[0] = _lin(1)
    with pytest.raises(KeyError, match="empty"):
        md[""] = _lin(1)
    for name in ("keys", "training", "update"):               # would shadow the API
        with pytest.raises(KeyError, match="already an attribute"):
            md[name] = _lin(1)
    assert md.training is True and len(md) == 0


def test_moduledict_non_module_values_are_type_errors_naming_the_key():
    with pytest.raises(TypeError, match=r"value for key 'act' is a str, not a Module"):
        nn.ModuleDict({"fc": _lin(1), "act": "relu"})
    md = nn.ModuleDict({"fc": _lin(1)})
    with pytest.raises(TypeError, match=r"key 'fc' is a NoneType"):
        md["fc"] = None
    with pytest.raises(TypeError, match="key 'x' is a int"):
        md.update({"y": _lin(2), "x": 5})
    assert list(md) == ["fc"]                                  # a failed update adds nothing


def test_moduledict_update_argument_errors():
    md = nn.ModuleDict()
    with pytest.raises(TypeError, match="mapping or an iterable"):
        md.update(3)
    with pytest.raises(TypeError, match="mapping or an iterable"):
        md.update(_lin(1))
    with pytest.raises(TypeError, match="element #0"):
        md.update([5])
    with pytest.raises(ValueError, match="element #1 .* length 3"):
        md.update([("a", _lin(1)), ("b", _lin(2), 3)])
    assert len(md) == 0


def test_calling_a_moduledict_says_to_iterate():
    with pytest.raises(NotImplementedError, match="ModuleDict has no forward"):
        nn.ModuleDict({"a": _lin(1)})(np.ones((1, 1)))


# -- saving and training ----------------------------------------------------------
def test_state_dict_round_trip_through_save_and_load(tmp_path):
    net = ListNet()
    net.layers[1].running_mean.data[...] = [1, 2, 3, 4]
    path = tmp_path / "net.npz"
    nn.save(net, path)
    fresh = ListNet()
    for p in fresh.parameters():
        p.data[...] = 0
    fresh.load_state_dict(nn.load(path))
    for (k1, v1), (k2, v2) in zip(net.state_dict().items(), fresh.state_dict().items()):
        assert k1 == k2
        np.testing.assert_array_equal(v1, v2)

    dnet = DictNet()
    nn.save(dnet.state_dict(), tmp_path / "d.npz")
    other = DictNet()
    other.heads["cls"].weight.data[...] = 7
    other.load_state_dict(nn.load(tmp_path / "d.npz"))
    np.testing.assert_array_equal(other.heads["cls"].weight.data,
                                  dnet.heads["cls"].weight.data)


def test_load_state_dict_reports_missing_list_entries():
    net = ListNet()
    sd = net.state_dict()
    del net.layers[2]
    with pytest.raises(RuntimeError, match=r"Unexpected key\(s\).*layers\.2\.weight"):
        net.load_state_dict(sd)


def test_optimizer_sees_and_trains_modulelist_parameters():
    net = ListNet()
    opt = nn.optim.SGD(net.parameters(), lr=0.1)
    before = [p.data.copy() for p in net.parameters()]
    x = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    loss = (net(x) ** 2).mean()
    loss.backward()
    opt.step()
    after = list(net.parameters())
    assert len(after) == 6
    assert {id(p) for g in opt.param_groups for p in g["params"]} == {id(p) for p in after}
    for b, a in zip(before, after):                 # every one got its SGD step
        assert a.grad is not None
        np.testing.assert_allclose(a.data, b - 0.1 * a.grad.data, rtol=1e-6, atol=1e-7)
    assert not np.array_equal(before[-2], after[-2].data)


def test_modules_added_later_are_trained_too():
    net = ListNet()
    net.layers.append(nn.Linear(2, 2, seed=3))
    assert len(list(net.parameters())) == 8
    assert "layers.3.weight" in net.state_dict()


# -- the warning for plain containers -------------------------------------------------
def _warned(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = make()
    return net, [w for w in caught if issubclass(w.category, UserWarning)]


class _Holder(nn.Module):
    def __init__(self, name, value):
        super().__init__()
        setattr(self, name, value)


def test_a_list_of_modules_warns_once_naming_attribute_and_modulelist():
    net, caught = _warned(lambda: _Holder("layers", [nn.Linear(2, 2), nn.ReLU()]))
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert "_Holder.layers" in msg and "list" in msg and "NOT registered" in msg
    assert "nn.ModuleList" in msg and "optimizer" in msg and "state_dict" in msg
    assert "Linear at [0]" in msg and "ReLU at [1]" in msg
    assert list(net.parameters()) == []                        # as PyTorch: not registered
    assert caught[0].filename == __file__                      # points at the assignment


def test_a_tuple_and_a_dict_of_modules_warn():
    _, caught = _warned(lambda: _Holder("pair", (nn.Linear(2, 2), nn.Linear(2, 2))))
    assert len(caught) == 1 and "nn.ModuleList" in str(caught[0].message)
    assert "tuple" in str(caught[0].message)
    _, caught = _warned(lambda: _Holder("heads", {"a": nn.Linear(2, 2)}))
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert "_Holder.heads" in msg and "nn.ModuleDict" in msg and "Linear at ['a']" in msg


def test_nested_containers_of_modules_warn():
    _, caught = _warned(lambda: _Holder("grid", [[nn.Linear(2, 2)], [nn.ReLU(), 3]]))
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert "Linear at [0][0]" in msg and "ReLU at [1][0]" in msg
    assert "nn.ModuleList of nn.ModuleLists" in msg
    _, caught = _warned(lambda: _Holder("blocks", {"enc": [nn.Linear(2, 2)]}))
    assert len(caught) == 1 and "nn.ModuleDict" in str(caught[0].message)
    _, caught = _warned(lambda: _Holder("deep", ([{"x": (nn.Tanh(),)}],)))
    assert len(caught) == 1 and "Tanh at [0][0]['x'][0]" in str(caught[0].message)


def test_many_modules_are_summarised():
    _, caught = _warned(lambda: _Holder("layers", [nn.ReLU() for _ in range(10)]))
    assert len(caught) == 1 and "10 module(s)" in str(caught[0].message)
    assert "and 7 more" in str(caught[0].message)


def test_assigning_later_in_forward_or_outside_warns_too():
    net = nn.Module()
    with pytest.warns(UserWarning, match="Module.extra is assigned a plain list"):
        net.extra = [nn.Linear(1, 1)]


def test_containers_without_modules_do_not_warn(no_warnings):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.sizes = [1, 2, 3]
            self.kernel = (3, 3)
            self.config = {"lr": 0.1, "layers": [4, 4]}
            self.empty = []
            self.arrays = [np.ones(2)]
            self.tensors = [ag.ones(2)]
            self.names = {"a", "b"}
            self.text = "abc"
            self.layers = nn.ModuleList([nn.Linear(2, 2)])
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 2)})
            self.seq = nn.Sequential(nn.Linear(2, 2))

    Net()
    nn.MLP([2, 4, 2], norm="batch", residual=True)
    nn.Conv2d(1, 1, 3)
    nn.LayerNorm((2, 3))


def test_aliases_of_registered_modules_do_not_warn(no_warnings):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 2)
            self.inner = nn.Sequential(nn.Linear(2, 2))
            self.pair = (self.fc1, self.inner[0])      # registered elsewhere in self

    net = Net()
    assert len(list(net.parameters())) == 4


def test_a_self_containing_list_does_not_loop():
    loop = []
    loop.append(loop)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _Holder("loop", loop)
    loop.append(nn.ReLU())
    _, caught = _warned(lambda: _Holder("loop", loop))
    assert len(caught) == 1


# -- against PyTorch ----------------------------------------------------------------
def test_state_dict_keys_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU()])
            self.layers.append(nn.Linear(3, 3))
            self.layers.extend([nn.Linear(3, 3), nn.Linear(3, 3)])
            self.layers.insert(1, nn.Linear(3, 3))
            del self.layers[0]
            self.layers[0] = nn.Linear(2, 3)
            self.heads = nn.ModuleDict({"b": nn.Linear(3, 1),
                                        "a": nn.ModuleList([nn.Linear(3, 2)])})
            self.heads.update([("c", nn.Linear(3, 4))])
            del self.heads["b"]

    class Theirs(tnn.Module):
        def __init__(self):
            super().__init__()
            self.layers = tnn.ModuleList([tnn.Linear(2, 3), tnn.BatchNorm1d(3), tnn.ReLU()])
            self.layers.append(tnn.Linear(3, 3))
            self.layers.extend([tnn.Linear(3, 3), tnn.Linear(3, 3)])
            self.layers.insert(1, tnn.Linear(3, 3))
            del self.layers[0]
            self.layers[0] = tnn.Linear(2, 3)
            self.heads = tnn.ModuleDict({"b": tnn.Linear(3, 1),
                                         "a": tnn.ModuleList([tnn.Linear(3, 2)])})
            self.heads.update([("c", tnn.Linear(3, 4))])
            del self.heads["b"]

    ours, theirs = Ours(), Theirs()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert repr(ours.layers[2:]) == repr(theirs.layers[2:])
    assert repr(ours.heads["a"]) == repr(theirs.heads["a"])
    sliced_ours, sliced_theirs = ours.layers[::2], theirs.layers[::2]
    assert list(sliced_ours.state_dict()) == list(sliced_theirs.state_dict())
    tl = tnn.ModuleList([tnn.Linear(1, 1)]) + tnn.ModuleList([tnn.Linear(1, 1)])
    ol = nn.ModuleList([nn.Linear(1, 1)]) + nn.ModuleList([nn.Linear(1, 1)])
    assert repr(ol) == repr(tl) and list(ol.state_dict()) == list(tl.state_dict())


def test_torch_weights_load_through_matching_keys():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ModuleList([torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)])
    ours = nn.ModuleList([nn.Linear(3, 4), nn.Linear(4, 2)])
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    y_ours, y_theirs = ag.tensor(x), torch.tensor(x)
    for a, b in zip(ours, theirs):
        y_ours, y_theirs = a(y_ours), b(y_theirs)
    np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
