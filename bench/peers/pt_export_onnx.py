"""Exports the pre-activation ResNet (pt_resnet.py, random weights) to ONNX, so ONNX Runtime
runs the same network as the other systems.

    python pt_export_onnx.py NUM_LAYERS C,H,W OUT.onnx [NUM_CLASSES]     (the pt venv)

Input 'data' (N,C,H,W float32, N dynamic), output 'prob' (logits; the softmax costs little).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pt_resnet  # noqa: E402

num_layers, shape, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
classes = int(sys.argv[4]) if len(sys.argv) > 4 else 10
c, h, w = (int(v) for v in shape.split(','))
model = pt_resnet.resnet(classes, num_layers, shape).eval()
kwargs = {}
if 'dynamo' in torch.onnx.export.__code__.co_varnames:
    kwargs['dynamo'] = False  # the TorchScript exporter: no extra packages, dynamic batch via dynamic_axes
torch.onnx.export(model, torch.randn(1, c, h, w), out, input_names=['data'], output_names=['prob'],
                  dynamic_axes={'data': {0: 'n'}, 'prob': {0: 'n'}}, opset_version=17, **kwargs)
print(out)
