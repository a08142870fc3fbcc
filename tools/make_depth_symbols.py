"""Symbol graphs of the service's depths that only exist as small-image networks' other forms,
saved by the real MXNet 1.9.1, for Tests/ModelsTests/Resources/symbols.

At image height <= 28 MXNet's resnet.py builds 50 and 152 as 6n+2 basic-unit networks and
200 as a 9n+2 bottleneck network (the service's default, 152, so an MNIST-sized job with
default hyperparameters works). shared/fixtures has every other depth of the service's set.

    bench/.peers/mx/bin/python tools/make_depth_symbols.py Tests/ModelsTests/Resources/symbols

(bench/peers/install.sh mx makes that venv: mxnet==1.9.1 from PyPI.) The builder is
bench/peers/mx_resnet.py, the graph written with MXNet's symbol API."""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'bench', 'peers'))
import mx_resnet  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for n in (50, 152, 200):
    shape = '1,28,28'
    s = mx_resnet.get_symbol(10, n, shape)
    tag = 'resnet-%d-%s' % (n, shape.replace(',', 'x'))
    s.save(os.path.join(out, tag + '-symbol.json'))
    c, h, w = map(int, shape.split(','))
    a, o, x = s.infer_shape(data=(2, c, h, w))
    with open(os.path.join(out, tag + '-shapes.json'), 'w') as f:
        json.dump({'data': [2, c, h, w], 'output': list(o[0]),
                   'arg': {k: list(v) for k, v in zip(s.list_arguments(), a)},
                   'aux': {k: list(v) for k, v in zip(s.list_auxiliary_states(), x)}}, f)
    print(tag, len(json.load(open(os.path.join(out, tag + '-symbol.json')))['nodes']), 'nodes')
