"""Task ids are stable hashes of the parameters; every random draw comes from the seed."""
import numpy as np

from nn.experiments import plan, registry
from nn.experiments.tasks import task_id


def test_ids_are_stable_distinct_and_depend_on_every_parameter():
    a, b = plan(mode="quick"), plan(mode="quick")
    assert [t["id"] for t in a] == [t["id"] for t in b]
    assert len({t["id"] for t in a}) == len(a)
    task = dict(a[0])
    for key, value in (("lr", 123.0), ("seed", 99), ("mode", "full"),
                       ("data", {"dataset": "circles"})):
        assert task_id({**task, key: value}) != task["id"]
    assert task_id({**task, "cost": -1.0}) == task_id({**task, "id": "x"})


def test_every_experiment_module_has_the_contract():
    for name in registry.names():
        module = registry.get(name)
        for attr in ("TITLE", "grid", "run_task", "figures"):
            assert hasattr(module, attr), (name, attr)
        for quick in (False, True, "tiny"):
            g = module.grid(quick)
            assert g["configs"] and g["lrs"]
            assert all("label" in c for c in g["configs"])


def test_run_task_draws_only_from_its_seed():
    module = registry.get("thousand_layers")
    config = {**module.grid("tiny")["configs"][0], "dataset": "digits"}
    saved = np.random.get_state()
    try:
        np.random.seed(0)
        first = module.run_task(config, 3, 1e-3, "tiny")
        np.random.seed(12345)              # the global generator must not matter
        np.random.random(100)
        second = module.run_task(config, 3, 1e-3, "tiny")
    finally:
        np.random.set_state(saved)

    def strip(rows):
        return [{k: v for k, v in r.items() if not k.endswith("_s")} for r in rows]
    assert strip(first) == strip(second)
    other = module.run_task(config, 4, 1e-3, "tiny")
    assert strip(other) != strip(first)


def test_layer_responses_are_measured_with_hooks_that_are_removed():
    from nn import MLP
    from nn.experiments.degradation import layer_response_std
    model = MLP([4, 6, 6, 6, 3], norm="batch", residual=True, seed=0)
    x = np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32)
    found = layer_response_std(model, x)
    assert [name for name, _ in found] == ["layers.1", "layers.3.module.1",
                                           "layers.4.module.1"]
    assert all(std > 0 for _, std in found)
    assert all(not m._forward_hooks for m in model.modules())
    assert model.training
