"""Serving fixtures: models MXNet 1.9.1 wrote, PNG inputs of their exact size, and MXNet's
probabilities for those inputs, for Tests/ServingTests (predict, serve and transform must
reproduce them within 1e-5).

What it writes under FIXTURES (--fixtures, default Tests/Fixtures/Resources, the resources
every test target shares; ServingTests and TrainingTests read these):
  models/resnet20-1x28x28/           copied from shared/fixtures/mxnet-1.9.1/parity (1 channel,
  models/resnet20-3x28x28-multilabel/  softmax; 3 channels, sigmoid head)
  models/resnet8-3x28x28/            made here: ResNet-8, 4 classes, softmax, random weights with
                                     moving statistics calibrated by training passes, plus our
                                     classes.json (class names; MXNet ignores the file); its
                                     model-shapes.json ends with a newline (the copied ones
                                     do not), which the loader must accept too
  images/gray0.png gray1.png         28x28 gray, from the parity batch of the 1-channel case
  images/rgb0.png rgb1.png           28x28 RGB, from the parity batch of the 3-channel case
  images/rgb-60x45.jpg               a JPEG of another size (exercises resize + centre crop)
and under OUT_DIR (default Tests/ServingTests/Resources):
  expected.json                      {model: {image: [probabilities]}} from MXNet, for every
                                     exact-size PNG a model takes (gray for 1 channel, RGB for 3)

MXNet reads the PNG the way the service does: cv2.imread (BGR, or gray for 1 channel),
converted to RGB, HWC -> CHW float32 with raw 0..255 values, one Module.forward (inference).

With --bench-model DIR it also writes a full-width ResNet-18 3x224x224 (10 classes, random
weights) for bench/serve_load.py; that one is not committed (45 MB).

How to run (from /work/main; needs the mxnet==1.9.1 venv with numpy<1.24 and opencv):
    /tmp/peers/mx/bin/python tools/make_serving_fixtures.py [OUT_DIR] [--fixtures DIR] [--bench-model DIR [--bench-only]]
"""
import argparse
import json
import os
import shutil
import sys

import cv2
import numpy as np

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('out_dir', nargs='?', default='Tests/ServingTests/Resources', help='where expected.json goes')
ap.add_argument('--fixtures', default='Tests/Fixtures/Resources', help='where models/ and images/ go')
ap.add_argument('--shared', default='/work/shared', help='folder holding fixtures/ and bench/mx_resnet.py')
ap.add_argument('--bench-model', help='also write a ResNet-18 3x224x224 model folder here')
ap.add_argument('--bench-only', action='store_true', help='write only the --bench-model folder')
ARGS = ap.parse_args()

sys.path.insert(0, os.path.join(ARGS.shared, 'bench'))
import mxnet as mx  # noqa: E402
import mx_resnet  # noqa: E402

assert mx.__version__ == '1.9.1', mx.__version__
PARITY = os.path.join(ARGS.shared, 'fixtures', 'mxnet-1.9.1', 'parity')
MODEL_FILES = ['image-classification-symbol.json', 'image-classification-0000.params', 'model-shapes.json']


def make_model(folder, num_layers, shape, classes, seed, calibration=20, batch=8):
    """A random pre-activation ResNet whose moving statistics look like a trained one's."""
    c, h, w = map(int, shape.split(','))
    sym = mx_resnet.get_symbol(classes, num_layers, shape)
    rng = np.random.RandomState(seed)
    mx.random.seed(seed)
    mod = mx.mod.Module(sym, context=mx.cpu())
    mod.bind(data_shapes=[('data', (batch, c, h, w))], label_shapes=[('softmax_label', (batch,))], for_training=True)
    mod.init_params(initializer=mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2))
    arg, aux = mod.get_params()
    for k in arg:
        if k.endswith('gamma') and k != 'bn_data_gamma':
            arg[k] = mx.nd.array(rng.uniform(0.5, 1.5, arg[k].shape))
        if k.endswith('beta'):
            arg[k] = mx.nd.array(rng.randn(*arg[k].shape) * 0.1)
    mod.set_params(arg, aux)
    label = mx.nd.zeros((batch,))
    for _ in range(calibration):  # moving statistics near the real ones, as training leaves them
        x = rng.uniform(0, 255, (batch, c, h, w)).astype(np.float32)
        mod.forward(mx.io.DataBatch([mx.nd.array(x)], [label]), is_train=True)
        mod.backward()
    mx.nd.waitall()
    mod._sync_params_from_devices()
    os.makedirs(folder, exist_ok=True)
    mod.save_checkpoint(os.path.join(folder, 'image-classification'), 0)
    with open(os.path.join(folder, 'model-shapes.json'), 'w') as f:
        json.dump([{'shape': [1, c, h, w], 'name': 'data'}], f)
        f.write('\n')


def load_for_inference(folder, shape, count):
    sym, arg, aux = mx.model.load_checkpoint(os.path.join(folder, 'image-classification'), 0)
    mod = mx.mod.Module(sym, context=mx.cpu(), label_names=['softmax_label'])
    mod.bind(data_shapes=[('data', (count,) + tuple(shape))], for_training=False)
    mod.set_params(arg, aux, allow_missing=False)
    return mod


def read_as_service(path, channels):
    """cv2.imread as the service's MXNet code reads an image: BGR (or gray) -> RGB, CHW."""
    img = cv2.imread(path, cv2.IMREAD_COLOR if channels == 3 else cv2.IMREAD_GRAYSCALE)
    assert img is not None, path
    if channels == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        return img.transpose(2, 0, 1).astype(np.float32)
    return img[None, :, :].astype(np.float32)


def main():
    if ARGS.bench_only:
        make_model(ARGS.bench_model, 18, '3,224,224', 10, seed=3, calibration=2, batch=4)
        print('wrote', ARGS.bench_model)
        return
    out = ARGS.out_dir
    models = os.path.join(ARGS.fixtures, 'models')
    images = os.path.join(ARGS.fixtures, 'images')
    os.makedirs(out, exist_ok=True)
    os.makedirs(models, exist_ok=True)
    os.makedirs(images, exist_ok=True)

    for name in ['resnet20-1x28x28', 'resnet20-3x28x28-multilabel']:
        d = os.path.join(models, name)
        os.makedirs(d, exist_ok=True)
        for f in MODEL_FILES:
            shutil.copyfile(os.path.join(PARITY, name, f), os.path.join(d, f))
    small = os.path.join(models, 'resnet8-3x28x28')
    make_model(small, 8, '3,28,28', 4, seed=7)
    with open(os.path.join(small, 'classes.json'), 'w') as f:
        json.dump(['cat', 'dog', 'bird', 'fish'], f)

    # Inputs: the parity batches' pixels (floats 0..255) rounded to bytes.
    gray = mx.nd.load(os.path.join(PARITY, 'resnet20-1x28x28', 'batch.params'))['data'].asnumpy()
    rgb = mx.nd.load(os.path.join(PARITY, 'resnet20-3x28x28-multilabel', 'batch.params'))['data'].asnumpy()
    to_u8 = lambda a: np.clip(np.rint(a), 0, 255).astype(np.uint8)  # noqa: E731
    for i in range(2):
        cv2.imwrite(os.path.join(images, 'gray%d.png' % i), to_u8(gray[i, 0]))
        hwc = to_u8(rgb[i].transpose(1, 2, 0))
        cv2.imwrite(os.path.join(images, 'rgb%d.png' % i), cv2.cvtColor(hwc, cv2.COLOR_RGB2BGR))
    big = cv2.resize(to_u8(rgb[2].transpose(1, 2, 0)), (60, 45), interpolation=cv2.INTER_LINEAR)
    cv2.imwrite(os.path.join(images, 'rgb-60x45.jpg'), cv2.cvtColor(big, cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 90])

    expected = {}
    for name, channels in [('resnet20-1x28x28', 1), ('resnet20-3x28x28-multilabel', 3), ('resnet8-3x28x28', 3)]:
        files = ['gray0.png', 'gray1.png'] if channels == 1 else ['rgb0.png', 'rgb1.png']
        x = np.stack([read_as_service(os.path.join(images, f), channels) for f in files])
        mod = load_for_inference(os.path.join(models, name), x.shape[1:], len(files))
        mod.forward(mx.io.DataBatch([mx.nd.array(x)]), is_train=False)
        probs = mod.get_outputs()[0].asnumpy()
        expected[name] = {f: [float(v) for v in probs[i]] for i, f in enumerate(files)}
        print(name, {f: np.round(p, 4).tolist() for f, p in expected[name].items()})
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)

    if ARGS.bench_model:
        make_model(ARGS.bench_model, 18, '3,224,224', 10, seed=3, calibration=2, batch=4)
        print('wrote', ARGS.bench_model)


main()
