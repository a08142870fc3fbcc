"""Optimizer and learning-rate-schedule fixtures, computed by the real MXNet 1.9.1.

What it writes into OUT_DIR (default Tests/TrainingTests/Resources/optimizers):
  inputs.params    weight:NAME (the starting values) and grad0:NAME .. grad2:NAME (the raw
                   gradients of three steps) for five small named arrays. The names
                   exercise MXNet's weight-decay rule: wd applies only to names ending in
                   _weight or _gamma once param_idx2name is set (Optimizer.set_wd_mult).
  OPT.params       for OPT in sgd, nag, adam, rmsprop: after1:NAME .. after3:NAME (the
                   weights after each step) and state<k>:NAME (the optimizer state after
                   the third step, k-th state array: sgd/nag momentum; adam mean, var;
                   rmsprop n).
  optimizers.json  the settings each optimizer was created with.
  schedule.json    MultiFactorScheduler learning rates for update counts 1..N, for
                   several (num_training_samples, mini_batch_size, machines, steps) cases.

The updates go through mx.optimizer.get_updater and are called the way Module's
_update_params calls them on one device (all indices at once), so SGD takes MXNet's
aggregated multi_sgd_mom_update path exactly as training does.

How to run (from /work/main):
    /tmp/peers/mx/bin/python tools/make_optimizer_fixtures.py [OUT_DIR]
"""
import json
import math
import os
import sys

import mxnet as mx
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/TrainingTests/Resources/optimizers"

SHAPES = [
    ("conv0_weight", (4, 3, 2, 2)),
    ("bn1_gamma", (4,)),
    ("bn1_beta", (4,)),
    ("fc1_weight", (3, 8)),
    ("fc1_bias", (3,)),
]

# SageMaker-like settings: rescale_grad = 1 / mini_batch_size with a batch of 4.
OPTIMIZERS = {
    "sgd": dict(learning_rate=0.1, momentum=0.9, wd=1e-4, rescale_grad=0.25),
    "nag": dict(learning_rate=0.1, momentum=0.9, wd=1e-4, rescale_grad=0.25),
    "adam": dict(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=1e-4,
                 rescale_grad=0.25),
    "rmsprop": dict(learning_rate=0.001, gamma1=0.9, epsilon=1e-8, wd=1e-4, rescale_grad=0.25),
}

STEPS = 3


def inputs():
    rng = np.random.RandomState(7)
    weights = {n: rng.normal(0, 0.5, s).astype(np.float32) for n, s in SHAPES}
    grads = [{n: rng.normal(0, 1.0, s).astype(np.float32) for n, s in SHAPES}
             for _ in range(STEPS)]
    return weights, grads


def run(name, settings, weights, grads):
    idx2name = {i: n for i, (n, _) in enumerate(SHAPES)}
    opt = mx.optimizer.create(name, param_idx2name=idx2name, **settings)
    updater = mx.optimizer.get_updater(opt)
    ws = [mx.nd.array(weights[n], dtype=np.float32) for n, _ in SHAPES]
    out = {}
    for k in range(STEPS):
        gs = [mx.nd.array(grads[k][n], dtype=np.float32) for n, _ in SHAPES]
        # Module._update_params passes every index of a device in one call.
        updater(list(range(len(SHAPES))), gs, ws)
        for (n, _), w in zip(SHAPES, ws):
            out["after%d:%s" % (k + 1, n)] = w.copy()
    for i, (n, _) in enumerate(SHAPES):
        state = updater.states[i]
        if state is None:
            continue
        if not isinstance(state, (tuple, list)):
            state = (state,)
        for j, s in enumerate(state):
            out["state%d:%s" % (j, n)] = s.copy()
    return out


def schedules():
    cases = [
        dict(num_training_samples=1000, mini_batch_size=32, machines=1, steps=[2, 4],
             factor=0.1, learning_rate=0.1, updates=200),
        dict(num_training_samples=100, mini_batch_size=10, machines=1, steps=[1, 2, 3],
             factor=0.5, learning_rate=0.05, updates=45),
        dict(num_training_samples=1001, mini_batch_size=25, machines=2, steps=[3, 5],
             factor=0.2, learning_rate=0.01, updates=150),
        dict(num_training_samples=7, mini_batch_size=8, machines=1, steps=[1],
             factor=0.3, learning_rate=0.1, updates=5),
    ]
    for c in cases:
        # SPEC section 1: epoch_size = ceil(num_training_samples / machines / mini_batch_size).
        epoch_size = int(math.ceil(c["num_training_samples"] / c["machines"] / c["mini_batch_size"]))
        steps = [epoch_size * e for e in c["steps"]]
        sched = mx.lr_scheduler.MultiFactorScheduler(step=steps, factor=c["factor"],
                                                     base_lr=c["learning_rate"])
        # The optimizer calls the scheduler with num_update, 1 for the first update, in order.
        c["epoch_size"] = epoch_size
        c["update_steps"] = steps
        c["rates"] = [sched(n) for n in range(1, c["updates"] + 1)]
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    weights, grads = inputs()
    arrays = {"weight:" + n: mx.nd.array(weights[n]) for n, _ in SHAPES}
    for k in range(STEPS):
        arrays.update({"grad%d:%s" % (k, n): mx.nd.array(grads[k][n]) for n, _ in SHAPES})
    mx.nd.save(os.path.join(OUT, "inputs.params"), arrays)
    for name, settings in OPTIMIZERS.items():
        mx.nd.save(os.path.join(OUT, name + ".params"), run(name, settings, weights, grads))
    with open(os.path.join(OUT, "optimizers.json"), "w") as f:
        json.dump({"names": [n for n, _ in SHAPES], "steps": STEPS, "optimizers": OPTIMIZERS,
                   "mxnet": mx.__version__}, f, indent=1, sort_keys=True)
    with open(os.path.join(OUT, "schedule.json"), "w") as f:
        json.dump(schedules(), f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
