"""The pre-activation ResNet (v2) of SageMaker's image-classification algorithm, built with
MXNet's symbol API. Layer names and attributes follow the algorithm's network, so the
parameters MXNet saves for it load in imgclf, and timings compare the same convolutions.

    get_symbol(num_classes, num_layers, 'C,H,W', multi_label=False) -> mx.sym.Symbol
"""
import mxnet as mx

# BatchNorm settings of the original network (its momentum is MXNet's decay of the moving mean).
BN = {'eps': 2e-5, 'momentum': 0.9}
# Units per stage of the ImageNet-sized networks (height > 32 gets the 7x7 stem and 4 stages).
IMAGENET_UNITS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3],
                  152: [3, 8, 36, 3], 200: [3, 24, 36, 3], 269: [3, 30, 48, 8]}


def conv(x, filters, kernel, stride, pad, name):
    # workspace=256 is what the original graph records; it changes no result. The 1x1
    # shortcut records no pad at all (pad=None), as in the original JSON.
    extra = {} if pad is None else {'pad': pad}
    return mx.sym.Convolution(x, num_filter=filters, kernel=kernel, stride=stride, no_bias=True,
                              workspace=256, name=name, **extra)


def bn_relu(x, name, index):
    x = mx.sym.BatchNorm(x, fix_gamma=False, name='%s_bn%d' % (name, index), **BN)
    return mx.sym.Activation(x, act_type='relu', name='%s_relu%d' % (name, index))


def residual_unit(x, filters, stride, same_shape, name, bottleneck):
    """BN-ReLU before each convolution; the shortcut is the input itself when the shape is
    kept, else a 1x1 convolution of the first BN-ReLU output."""
    pre = bn_relu(x, name, 1)
    if bottleneck:
        y = conv(pre, filters // 4, (1, 1), (1, 1), (0, 0), name + '_conv1')
        y = conv(bn_relu(y, name, 2), filters // 4, (3, 3), stride, (1, 1), name + '_conv2')
        y = conv(bn_relu(y, name, 3), filters, (1, 1), (1, 1), (0, 0), name + '_conv3')
    else:
        y = conv(pre, filters, (3, 3), stride, (1, 1), name + '_conv1')
        y = conv(bn_relu(y, name, 2), filters, (3, 3), (1, 1), (1, 1), name + '_conv2')
    shortcut = x if same_shape else conv(pre, filters, (1, 1), stride, None, name + '_sc')
    return y + shortcut


def layout(num_layers, height):
    """(units per stage, filters [stem, stage 1, ...], bottleneck) for a depth and image height."""
    if height <= 28:  # the CIFAR/MNIST-sized family: 3 stages, depth 6n+2 (basic) or 9n+2 (bottleneck)
        if num_layers >= 164 and (num_layers - 2) % 9 == 0:
            return [(num_layers - 2) // 9] * 3, [16, 64, 128, 256], True
        if num_layers < 164 and (num_layers - 2) % 6 == 0:
            return [(num_layers - 2) // 6] * 3, [16, 16, 32, 64], False
        raise ValueError('no ResNet with %d layers for height %d' % (num_layers, height))
    if num_layers not in IMAGENET_UNITS:
        raise ValueError('no ResNet with %d layers for height %d' % (num_layers, height))
    bottleneck = num_layers >= 50
    filters = [64, 256, 512, 1024, 2048] if bottleneck else [64, 64, 128, 256, 512]
    return IMAGENET_UNITS[num_layers], filters, bottleneck


def get_symbol(num_classes, num_layers, image_shape, multi_label=False):
    channels, height, width = (int(v) for v in image_shape.split(','))
    units, filters, bottleneck = layout(num_layers, height)
    x = mx.sym.identity(mx.sym.Variable('data'), name='id')
    x = mx.sym.BatchNorm(x, fix_gamma=True, name='bn_data', **BN)  # scales the raw 0..255 input
    if height <= 32:
        x = conv(x, filters[0], (3, 3), (1, 1), (1, 1), 'conv0')
    else:
        x = conv(x, filters[0], (7, 7), (2, 2), (3, 3), 'conv0')
        x = mx.sym.BatchNorm(x, fix_gamma=False, name='bn0', **BN)
        x = mx.sym.Activation(x, act_type='relu', name='relu0')
        x = mx.sym.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type='max')
    for stage, count in enumerate(units):
        for unit in range(count):
            stride = (2, 2) if stage > 0 and unit == 0 else (1, 1)
            x = residual_unit(x, filters[stage + 1], stride, unit > 0,
                              'stage%d_unit%d' % (stage + 1, unit + 1), bottleneck)
    x = mx.sym.BatchNorm(x, fix_gamma=False, name='bn1', **BN)
    x = mx.sym.Activation(x, act_type='relu', name='relu1')
    x = mx.sym.Pooling(x, global_pool=True, kernel=(7, 7), pool_type='avg', name='pool1')
    x = mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=num_classes, name='fc1')
    if multi_label:
        return mx.sym.LogisticRegressionOutput(x, name='softmax')
    return mx.sym.SoftmaxOutput(x, name='softmax')
