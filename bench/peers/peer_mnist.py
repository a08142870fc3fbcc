"""Accuracy reference: MXNet 1.9.1 trains the same ResNet with the same hyperparameters as
imgclf on the MNIST sample bundled in the repository (sample/mnist: train/ and validation/,
one folder of 28x28 gray PNGs per digit, 4000 / 1000 images).

    python peer_mnist.py MNIST_DIR [EPOCHS] [NUM_LAYERS] [BATCH] [LR] [LR_STEPS e.g. 6,8]   (the mx venv)

SGD with momentum 0.9, weight decay 1e-4, Xavier initialisation and, with LR_STEPS, the
learning rate divided by 10 at those epochs: the algorithm's defaults. Prints one JSON line.
"""
import json
import logging
import os
import sys
import time

import cv2
import mxnet as mx
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mx_resnet  # noqa: E402

logging.basicConfig(level=logging.INFO)  # MXNet's fit() logs each epoch's accuracy


def load(folder):
    """All PNGs of the digit folders under `folder`: (N,1,28,28) raw 0..255 floats, labels."""
    images, labels = [], []
    for digit in sorted(os.listdir(folder), key=int):
        for name in sorted(os.listdir(os.path.join(folder, digit))):
            images.append(cv2.imread(os.path.join(folder, digit, name), cv2.IMREAD_GRAYSCALE))
            labels.append(int(digit))
    return np.stack(images)[:, None].astype(np.float32), np.array(labels, dtype=np.float32)


root = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
num_layers = int(sys.argv[3]) if len(sys.argv) > 3 else 20
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64
lr = float(sys.argv[5]) if len(sys.argv) > 5 else 0.1
steps = [int(e) for e in sys.argv[6].split(',') if e] if len(sys.argv) > 6 else []

start = time.time()
x_train, y_train = load(os.path.join(root, 'train'))
x_val, y_val = load(os.path.join(root, 'validation'))
train = mx.io.NDArrayIter(x_train, y_train, batch, shuffle=True, label_name='softmax_label')
val = mx.io.NDArrayIter(x_val, y_val, batch, label_name='softmax_label')
mx.random.seed(1)
np.random.seed(1)

optimizer_params = {'learning_rate': lr, 'momentum': 0.9, 'wd': 1e-4, 'rescale_grad': 1.0 / batch}
if steps:  # the scheduler counts updates, not epochs
    per_epoch = -(-len(y_train) // batch)
    optimizer_params['lr_scheduler'] = mx.lr_scheduler.MultiFactorScheduler([per_epoch * e for e in steps], 0.1)
mod = mx.mod.Module(mx_resnet.get_symbol(10, num_layers, '1,28,28'), context=mx.cpu())
mod.fit(train, eval_data=val, eval_metric='acc', optimizer='sgd', optimizer_params=optimizer_params,
        initializer=mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2), num_epoch=epochs)
val.reset()
accuracy = mod.score(val, 'acc')[0][1]
print(json.dumps({'peer': 'mxnet', 'version': mx.__version__, 'num_layers': num_layers, 'epochs': epochs,
                  'batch': batch, 'train_images': len(y_train), 'validation_images': len(y_val),
                  'validation_accuracy': round(accuracy, 4), 'seconds': round(time.time() - start, 1)}))
