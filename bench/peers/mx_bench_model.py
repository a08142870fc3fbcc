"""A model artifact written by MXNet 1.9.1 for serving benchmarks: the algorithm's ResNet
with random weights (a server's compute does not depend on the values), BatchNorm moving
statistics brought near real ones by a few training passes, saved as MXNet saves a model.

    python mx_bench_model.py OUT_DIR [NUM_LAYERS] [C,H,W] [CLASSES] [--seed S]     (the mx venv)

Writes OUT_DIR/image-classification-symbol.json, image-classification-0000.params and
model-shapes.json (defaults: ResNet-18, 3,224,224, 10 classes; about 45 MB).
"""
import argparse
import json
import os
import sys

import mxnet as mx
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mx_resnet  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('out')
ap.add_argument('num_layers', type=int, nargs='?', default=18)
ap.add_argument('shape', nargs='?', default='3,224,224')
ap.add_argument('classes', type=int, nargs='?', default=10)
ap.add_argument('--seed', type=int, default=3)
ap.add_argument('--calibration', type=int, default=2, help='training passes for the moving statistics')
a = ap.parse_args()

c, h, w = (int(v) for v in a.shape.split(','))
batch = 4
rng = np.random.RandomState(a.seed)
mx.random.seed(a.seed)
mod = mx.mod.Module(mx_resnet.get_symbol(a.classes, a.num_layers, a.shape), context=mx.cpu())
mod.bind(data_shapes=[('data', (batch, c, h, w))], label_shapes=[('softmax_label', (batch,))], for_training=True)
mod.init_params(initializer=mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2))
# Xavier leaves every gamma 1 and beta 0; spread them as a trained model's are.
arg, aux = mod.get_params()
for name in arg:
    if name.endswith('_gamma') and name != 'bn_data_gamma':  # bn_data's gamma is fixed at 1
        arg[name] = mx.nd.array(rng.uniform(0.5, 1.5, arg[name].shape))
    elif name.endswith('_beta'):
        arg[name] = mx.nd.array(rng.randn(*arg[name].shape) * 0.1)
mod.set_params(arg, aux)
labels = mx.nd.zeros((batch,))
for _ in range(a.calibration):
    x = rng.uniform(0, 255, (batch, c, h, w)).astype(np.float32)
    mod.forward(mx.io.DataBatch([mx.nd.array(x)], [labels]), is_train=True)
    mod.backward()  # MXNet 1.x updates the moving statistics here; no optimizer step is taken
mx.nd.waitall()
mod._sync_params_from_devices()  # the moving statistics changed on the executor's copies
os.makedirs(a.out, exist_ok=True)
mod.save_checkpoint(os.path.join(a.out, 'image-classification'), 0)
with open(os.path.join(a.out, 'model-shapes.json'), 'w') as f:
    json.dump([{'shape': [1, c, h, w], 'name': 'data'}], f)
print('wrote', a.out)
