"""Training and inference throughput of a peer on the pre-activation ResNet, synthetic data.

    python peer_bench.py mx|pt NUM_LAYERS C,H,W BATCH [ITERS] [--infer-only]
                         [--channels-last] [--bf16]        (pt only: the last two)

Run it with the peer's own venv (bench/peers/install.sh). Each figure is the median over
ITERS timed steps after 2 untimed warm-up steps; a training step is forward, backward and an
SGD update (lr 0.01, momentum 0.9, wd 1e-4), as imgclf benchmark times it. Prints one JSON
line: {"peer", "version", "train_img_s", "infer_img_s", "train_step_ms", "infer_batch_ms", ...}
(the *_ms are the median step times: at batch 1, infer_batch_ms is the latency).
A peer is judged in its best configuration: for PyTorch on CPU that may be --channels-last.
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the *_resnet.py beside this file

WARMUP = 2


def median_seconds(step, iters):
    """The median time of one step (for batch 1, the latency), over ITERS after the warm-up."""
    times = []
    for _ in range(WARMUP + iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times[WARMUP:])


def mxnet_runner(a, x, y):
    import mxnet as mx
    import mx_resnet
    sym = mx_resnet.get_symbol(10, a.num_layers, a.shape)
    batch = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])

    def run(train):
        mod = mx.mod.Module(sym, context=mx.cpu())
        mod.bind(data_shapes=[('data', x.shape)], label_shapes=[('softmax_label', y.shape)], for_training=train)
        mod.init_params(mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2))
        if train:
            mod.init_optimizer(optimizer='sgd', optimizer_params={
                'learning_rate': 0.01, 'momentum': 0.9, 'wd': 1e-4, 'rescale_grad': 1.0 / a.batch})

        def step():
            mod.forward(batch, is_train=train)
            if train:
                mod.backward()
                mod.update()
            mx.nd.waitall()  # MXNet runs asynchronously: wait, or only the queueing is timed
        return median_seconds(step, a.iters)
    return run, {'version': mx.__version__}


def torch_runner(a, x, y):
    import torch
    import pt_resnet
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    if a.channels_last:
        xt = xt.to(memory_format=torch.channels_last)
    autocast = (lambda: torch.autocast('cpu', dtype=torch.bfloat16)) if a.bf16 else contextlib.nullcontext

    def run(train):
        model = pt_resnet.resnet(10, a.num_layers, a.shape)
        if a.channels_last:
            model = model.to(memory_format=torch.channels_last)
        if train:
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

            def step():
                opt.zero_grad(set_to_none=True)
                with autocast():
                    loss = torch.nn.functional.cross_entropy(model(xt), yt)
                loss.backward()
                opt.step()
            return median_seconds(step, a.iters)
        model.eval()
        with torch.inference_mode(), autocast():
            return median_seconds(lambda: model(xt), a.iters)
    return run, {'version': torch.__version__, 'threads': torch.get_num_threads(),
                 'channels_last': a.channels_last, 'bf16': a.bf16}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('peer', choices=['mx', 'pt'])
    ap.add_argument('num_layers', type=int)
    ap.add_argument('shape', help='C,H,W')
    ap.add_argument('batch', type=int)
    ap.add_argument('iters', type=int, nargs='?', default=8)
    ap.add_argument('--infer-only', action='store_true')
    ap.add_argument('--channels-last', action='store_true')
    ap.add_argument('--bf16', action='store_true')
    a = ap.parse_args()
    if a.peer == 'mx' and (a.channels_last or a.bf16):
        ap.error('--channels-last and --bf16 are PyTorch options')
    c, h, w = (int(v) for v in a.shape.split(','))
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 255, (a.batch, c, h, w)).astype(np.float32)  # raw pixel range, as imgclf feeds
    y = rng.randint(0, 10, a.batch).astype(np.float32)
    run, info = (mxnet_runner if a.peer == 'mx' else torch_runner)(a, x, y)
    result = {'peer': a.peer, 'num_layers': a.num_layers, 'image_shape': a.shape, 'batch': a.batch, **info}
    if not a.infer_only:
        seconds = run(True)
        result['train_img_s'], result['train_step_ms'] = round(a.batch / seconds, 2), round(1000 * seconds, 3)
    seconds = run(False)
    result['infer_img_s'], result['infer_batch_ms'] = round(a.batch / seconds, 2), round(1000 * seconds, 3)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
