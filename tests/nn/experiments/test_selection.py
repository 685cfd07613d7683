"""The reported learning rate is the best by validation accuracy, never by test."""
from nn.experiments import best_lrs, mark_selected, selected_rows, summary


def _final(lr, seed, val_acc, test_acc, val_loss=1.0, config="c", diverged=False):
    return {"experiment": "e", "config": config, "mode": "quick", "dataset": "digits",
            "kind": "final", "step": 10, "lr": lr, "seed": seed, "val_acc": val_acc,
            "test_acc": test_acc, "val_loss": val_loss, "train_loss": 0.5,
            "diverged": diverged, "time_s": 1.0}


def test_best_rate_is_chosen_by_validation_not_test():
    rows = [_final(0.1, s, val_acc=0.90, test_acc=0.70) for s in range(3)]
    rows += [_final(0.01, s, val_acc=0.80, test_acc=0.99) for s in range(3)]
    key = ("e", "c", "quick", "digits")
    assert best_lrs(rows) == {key: 0.1}
    # Changing the test accuracies never changes the choice.
    for r in rows:
        r["test_acc"] = 1.0 - r["test_acc"]
    assert best_lrs(rows) == {key: 0.1}


def test_mean_over_seeds_and_missing_values_count_as_zero():
    rows = [_final(0.1, 0, 1.0, 0.5), _final(0.1, 1, None, None, diverged=True),
            _final(0.01, 0, 0.8, 0.5), _final(0.01, 1, 0.8, 0.5)]
    assert list(best_lrs(rows).values()) == [0.01]       # 0.5 mean against 0.8


def test_ties_go_to_the_lower_validation_loss_then_the_smaller_rate():
    rows = [_final(0.1, 0, 0.9, 0.9, val_loss=0.2), _final(0.01, 0, 0.9, 0.9, val_loss=0.3)]
    assert list(best_lrs(rows).values()) == [0.1]
    rows = [_final(0.1, 0, 0.9, 0.9), _final(0.01, 0, 0.9, 0.9)]
    assert list(best_lrs(rows).values()) == [0.01]


def test_rows_are_marked_and_summarised_at_the_selected_rate():
    rows = [_final(lr, s, val_acc=0.5 + lr, test_acc=0.1, config=c)
            for c in ("a", "b") for lr in (0.1, 0.3) for s in range(2)]
    rows.append({"experiment": "e", "config": "a", "mode": "quick", "dataset": "digits",
                 "kind": "step", "step": 1, "lr": 0.3, "seed": 0, "train_loss": 2.0})
    mark_selected(rows)
    assert all(r["best_lr"] == 0.3 for r in rows)
    assert all(r["selected"] == (r["lr"] == 0.3) for r in rows)
    assert {r["lr"] for r in selected_rows(rows)} == {0.3}
    table = summary(rows)
    lines = [(t["config"], t["best_lr"], t["seeds"]) for t in table]
    assert lines == [("a", 0.3, 2), ("b", 0.3, 2)]
    assert abs(table[0]["val_acc_mean"] - 0.8) < 1e-12
