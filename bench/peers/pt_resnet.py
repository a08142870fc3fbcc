"""The same pre-activation ResNet as mx_resnet.py, in PyTorch: the same convolutions, shapes
and parameter count, so a PyTorch timing measures the same work as imgclf's and MXNet's.

    resnet(num_classes, num_layers, 'C,H,W') -> torch.nn.Module (logits; the loss adds softmax)
"""
import torch
from torch import nn

EPS = 2e-5  # MXNet's eps in the original network; PyTorch's momentum 0.1 is MXNet's 0.9
IMAGENET_UNITS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3],
                  152: [3, 8, 36, 3], 200: [3, 24, 36, 3], 269: [3, 30, 48, 8]}


def bn_relu(channels):
    return [nn.BatchNorm2d(channels, eps=EPS), nn.ReLU(inplace=True)]


class Unit(nn.Module):
    """BN-ReLU, then the convolutions; the shortcut is the input, or a 1x1 convolution of
    the first BN-ReLU output when the shape changes (as in MXNet's graph)."""

    def __init__(self, cin, filters, stride, same_shape, bottleneck):
        super().__init__()
        self.pre = nn.Sequential(*bn_relu(cin))
        if bottleneck:
            mid = filters // 4
            self.body = nn.Sequential(nn.Conv2d(cin, mid, 1, bias=False), *bn_relu(mid),
                                      nn.Conv2d(mid, mid, 3, stride, 1, bias=False), *bn_relu(mid),
                                      nn.Conv2d(mid, filters, 1, bias=False))
        else:
            self.body = nn.Sequential(nn.Conv2d(cin, filters, 3, stride, 1, bias=False), *bn_relu(filters),
                                      nn.Conv2d(filters, filters, 3, 1, 1, bias=False))
        self.shortcut = None if same_shape else nn.Conv2d(cin, filters, 1, stride, bias=False)

    def forward(self, x):
        a = self.pre(x)
        return self.body(a) + (x if self.shortcut is None else self.shortcut(a))


def layout(num_layers, height):
    """(units per stage, filters [stem, stage 1, ...], bottleneck), as mx_resnet.layout."""
    if height <= 28:
        bottleneck = num_layers >= 164
        units = [(num_layers - 2) // (9 if bottleneck else 6)] * 3
        return units, ([16, 64, 128, 256] if bottleneck else [16, 16, 32, 64]), bottleneck
    bottleneck = num_layers >= 50
    filters = [64, 256, 512, 1024, 2048] if bottleneck else [64, 64, 128, 256, 512]
    return IMAGENET_UNITS[num_layers], filters, bottleneck


def resnet(num_classes, num_layers, image_shape):
    channels, height, _ = (int(v) for v in image_shape.split(','))
    units, filters, bottleneck = layout(num_layers, height)
    # MXNet's bn_data has a fixed gamma of 1: a plain normalisation of the raw input.
    layers = [nn.BatchNorm2d(channels, eps=EPS, affine=False)]
    if height <= 32:
        layers.append(nn.Conv2d(channels, filters[0], 3, 1, 1, bias=False))
    else:
        layers += [nn.Conv2d(channels, filters[0], 7, 2, 3, bias=False), *bn_relu(filters[0]),
                   nn.MaxPool2d(3, 2, 1)]
    cin = filters[0]
    for stage, count in enumerate(units):
        for unit in range(count):
            stride = 2 if stage > 0 and unit == 0 else 1
            layers.append(Unit(cin, filters[stage + 1], stride, unit > 0, bottleneck))
            cin = filters[stage + 1]
    layers += [*bn_relu(cin), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, num_classes)]
    return nn.Sequential(*layers)


if __name__ == '__main__':  # a quick check: python pt_resnet.py [NUM_LAYERS] [C,H,W] -> parameter count
    import sys
    args = sys.argv[1:] + ['18', '3,224,224'][len(sys.argv) - 1:]
    print(sum(p.numel() for p in resnet(10, int(args[0]), args[1]).parameters()), 'parameters')
