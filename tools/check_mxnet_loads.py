"""Checks that real MXNet 1.9.1 loads an imgclf artifact and scores a validation folder
(one sub-folder per class, PNG/JPEG of the model's exact size) as imgclf does.

    /tmp/peers/mx/bin/python tools/check_mxnet_loads.py model/model.tar.gz sample/mnist/validation

Prints MXNet's accuracy; compare with the `Validation-accuracy` of the epoch the artifact
holds (or `imgclf evaluate`)."""
import json, os, sys, tarfile, tempfile
import cv2, mxnet as mx, numpy as np

artifact, folder = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp()
with tarfile.open(artifact) as t: t.extractall(work)
params = sorted(f for f in os.listdir(work) if f.endswith('.params'))[-1]
epoch = int(params[-11:-7])
sym, arg, aux = mx.model.load_checkpoint(os.path.join(work, 'image-classification'), epoch)
shape = json.load(open(os.path.join(work, 'model-shapes.json')))[0]['shape']
c = shape[1]
classes = sorted(os.listdir(folder))
xs, ys = [], []
for label, name in enumerate(classes):
    for f in sorted(os.listdir(os.path.join(folder, name))):
        img = cv2.imread(os.path.join(folder, name, f), cv2.IMREAD_GRAYSCALE if c == 1 else cv2.IMREAD_COLOR)
        img = img[None] if c == 1 else img[:, :, ::-1].transpose(2, 0, 1)
        xs.append(img.astype(np.float32)); ys.append(label)
x = np.stack(xs)
mod = mx.mod.Module(sym, context=mx.cpu())
mod.bind(data_shapes=[('data', (len(x),) + tuple(shape[1:]))], label_shapes=[('softmax_label', (len(x),))], for_training=False)
mod.set_params(arg, aux, allow_missing=False)
mod.forward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(np.array(ys, dtype=np.float32))]), is_train=False)
p = mod.get_outputs()[0].asnumpy()
print(json.dumps({'artifact': artifact, 'params': params, 'images': len(x),
                  'mxnet_accuracy': round(float((p.argmax(1) == np.array(ys)).mean()), 6)}))
