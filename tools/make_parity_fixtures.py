"""Parity fixtures for the Swift pre-activation ResNet, computed by the real MXNet 1.9.1.

What it writes: one folder per case under OUT_DIR (see CASES below), in the layout of
shared/fixtures/mxnet-1.9.1/parity/*:
  image-classification-symbol.json, image-classification-0000.params  the fixed random model
      (gamma ~ U[0.5, 1.5], beta ~ 0.1 * N(0, 1), moving statistics calibrated by 40
      training passes on random batches), model-shapes.json,
  batch.params               data, label, prob_inference, prob_train,
  step-gradients.params      grad:NAME for every argument and grad:data after one training
                             forward + backward on that batch,
  step-aux-after.params      aux:NAME after that pass (MXNet 1.x updates the moving
                             statistics in the backward pass),
  step-sgd-params-after.params  arg:NAME after one SGD update (lr 0.1, momentum 0.9,
                             wd 1e-4, rescale_grad 1/batch; mod.init_optimizer + mod.update),
  case.json                  num_layers, image_shape, num_classes, batch, multi_label, sgd,
                             seed, relu_margin (and the other margins and checks below).

How to run (from /work/main; needs the mxnet==1.9.1 venv, numpy<1.24):
    /tmp/peers/mx/bin/python tools/make_parity_fixtures.py OUT_DIR [--only NAME ...]
e.g. OUT_DIR = Tests/ComputeTests/Resources/parity-extra. The network builder is imported
from /work/shared/bench/mx_resnet.py (override with --bench DIR).

Why it differs from shared/bench/make_fixtures.py (function `parity`):
1. Stale moving statistics. That generator reads "aux after the step" with mod.get_params()
   right after save_checkpoint. Module caches its parameters and only re-reads the devices'
   copies when _params_dirty is set, which backward() does not do, so its
   step-aux-after.params equals the checkpoint's aux. Here the updated statistics are read
   from the executor (mod._exec_group.aux_arrays) and checked to differ from the
   checkpoint's, and to match 0.9 * old + 0.1 * batch statistic for bn_data.
2. ReLU kinks. Random cases put pre-ReLU values within 1e-6 of zero; there the ReLU mask
   can flip between two float32 implementations and gradients then differ by percents.
   Every output that feeds a ReLU (BatchNorm outputs, via sym.get_internals(), in training
   mode with batch statistics, on the case's batch) must satisfy |value| > THRESHOLD
   (1e-3), and every max-pooling window whose maximum is positive must have a gap
   > THRESHOLD between its largest and second-largest value (no ties).
   A bare seed search cannot reach 1e-3: a ResNet-20 batch has ~6e5 pre-ReLU values with
   density ~0.5 per unit near zero, so ~500 of them lie within 1e-3 of zero for every seed
   (the chance that none does is ~exp(-500)). So for each seed 1, 2, 3, ... the batch drawn
   from that seed is nudged (gradient descent on the input pixels only, on the penalty
   sum over offending values of (2*THRESHOLD - |v|)^2, each value pushed away from zero on
   its own side so that no mask changes) until the margins hold; the seed is accepted
   when they do within the iteration budget. The weights stay exactly as drawn. case.json
   records relu_margin, pool_gap_margin and input_nudge_max (largest |change| of a pixel,
   pixels are raw 0..255 values).

The ResNet-18 cases are narrowed: every Convolution's num_filter is divided by
WIDTH_DIVISOR (8) in the JSON of the symbol that mx_resnet builds (filters 8, 8, 16, 32,
64 instead of 64, 64, 128, 256, 512), because at full width each .params file would be
~45 MB. Topology, names and all other attributes are the builder's; case.json records
"filters" and "width_divisor".
"""
import argparse
import json
import os
import sys

import numpy as np

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('out_dir')
ap.add_argument('--bench', default='/work/shared/bench', help='folder holding mx_resnet.py')
ap.add_argument('--only', nargs='*', help='case names to (re)write')
ap.add_argument('--threshold', type=float, default=1e-3)
ap.add_argument('--max-seeds', type=int, default=20)
ap.add_argument('--max-iters', type=int, default=400)
ARGS = ap.parse_args()

sys.path.insert(0, ARGS.bench)
import mxnet as mx  # noqa: E402
import mx_resnet  # noqa: E402

assert mx.__version__ == '1.9.1', mx.__version__
SGD = {'learning_rate': 0.1, 'momentum': 0.9, 'wd': 1e-4}
BN_MOMENTUM = 0.9
CALIBRATION_PASSES = 40
WIDTH_DIVISOR = 8

CASES = [
    dict(name='resnet20-1x28x28', num_layers=20, shape='1,28,28', classes=10, batch=4, multi_label=False, width=1),
    dict(name='resnet18-3x32x32', num_layers=18, shape='3,32,32', classes=10, batch=2, multi_label=False,
         width=WIDTH_DIVISOR),
    dict(name='resnet18-3x64x64', num_layers=18, shape='3,64,64', classes=7, batch=2, multi_label=False,
         width=WIDTH_DIVISOR),
    dict(name='resnet20-3x28x28-multilabel', num_layers=20, shape='3,28,28', classes=5, batch=3, multi_label=True,
         width=1),
]


def dump(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)


def build_symbol(case):
    sym = mx_resnet.get_symbol(case['classes'], case['num_layers'], case['shape'], case['multi_label'])
    if case['width'] != 1:
        g = json.loads(sym.tojson())
        for n in g['nodes']:
            if n['op'] == 'Convolution':
                nf = int(n['attrs']['num_filter'])
                assert nf % case['width'] == 0
                n['attrs']['num_filter'] = str(nf // case['width'])
        sym = mx.sym.load_json(json.dumps(g))
    convs = {n['name']: int(n['attrs']['num_filter']) for n in json.loads(sym.tojson())['nodes']
             if n['op'] == 'Convolution'}
    filters = [convs['conv0']] + [convs['stage%d_unit1_sc' % i] for i in range(1, 5) if 'stage%d_unit1_sc' % i in convs]
    return sym, filters


# ---------------------------------------------------------------- kink / tie margins

class Probe:
    """The outputs that feed a ReLU and the inputs of max pooling, in training mode, with
    the gradient of a penalty on them with respect to the input pixels."""

    def __init__(self, sym, data_shape, arg, aux, threshold):
        nodes = json.loads(sym.tojson())['nodes']
        internals = sym.get_internals()
        have = set(internals.list_outputs())
        self.relu_in, self.pools = [], []
        for n in nodes:
            src = None
            if n['op'] in ('Activation', 'Pooling'):
                s = nodes[n['inputs'][0][0]]
                assert n['inputs'][0][1] == 0
                src = s['name'] + '_output'
                assert src in have, src
            if n['op'] == 'Activation':
                assert n['attrs']['act_type'] == 'relu', n
                self.relu_in.append(src)
            elif n['op'] == 'Pooling' and n['attrs'].get('pool_type') == 'max':
                a = n['attrs']
                assert a.get('global_pool', 'False') in ('False', 'false', '0')
                tup = lambda s: tuple(int(v) for v in s.strip('()').split(',') if v.strip())
                self.pools.append((src, tup(a['kernel']), tup(a.get('stride', '(1,1)')), tup(a.get('pad', '(0,0)'))))
        self.names = self.relu_in + [p[0] for p in self.pools if p[0] not in self.relu_in]
        group = mx.sym.Group([internals[nm] for nm in self.names])
        params = [a for a in group.list_arguments() if a != 'data']
        self.mod = mx.mod.Module(group, data_names=['data'], label_names=None, context=mx.cpu(),
                                 fixed_param_names=params)
        self.mod.bind(data_shapes=[('data', data_shape)], for_training=True, inputs_need_grad=True)
        self.mod.set_params(arg, aux, allow_extra=True)
        self.t = threshold
        self.target = 2 * threshold

    def _windows(self, v, k, s, p):
        n, c, h, w = v.shape
        vp = np.full((n, c, h + 2 * p[0], w + 2 * p[1]), -np.inf, dtype=v.dtype)
        vp[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = v
        oh = (h + 2 * p[0] - k[0]) // s[0] + 1  # pooling_convention 'valid'
        ow = (w + 2 * p[1] - k[1]) // s[1] + 1
        idx_h = (np.arange(oh)[:, None] * s[0] + np.arange(k[0])[None, :])  # oh x kh
        idx_w = (np.arange(ow)[:, None] * s[1] + np.arange(k[1])[None, :])  # ow x kw
        win = vp[:, :, idx_h[:, None, :, None], idx_w[None, :, None, :]]  # n c oh ow kh kw
        win = win.reshape(n, c, oh, ow, k[0] * k[1])
        # flat positions (in the unpadded input) of each window cell, -1 for padding
        hh = idx_h[:, None, :, None] - p[0]
        ww = idx_w[None, :, None, :] - p[1]
        hh, ww = np.broadcast_arrays(hh, ww)
        pos = np.where((hh >= 0) & (hh < h) & (ww >= 0) & (ww < w), hh * w + ww, -1).reshape(oh, ow, -1)
        return win, pos

    def evaluate(self, x, want_heads):
        self.mod.forward(mx.io.DataBatch([mx.nd.array(x)], None), is_train=True)
        outs = {nm: o.asnumpy() for nm, o in zip(self.names, self.mod.get_outputs())}
        loss, relu_margin, pool_margin = 0.0, np.inf, np.inf
        heads = {nm: np.zeros_like(v) for nm, v in outs.items()} if want_heads else None
        for nm in self.relu_in:
            v = outs[nm]
            a = np.abs(v)
            relu_margin = min(relu_margin, float(a.min()))
            m = a < self.target
            r = self.target - a[m]
            loss += 0.5 * float((r.astype(np.float64) ** 2).sum())
            if want_heads:
                sgn = np.where(v[m] >= 0, 1.0, -1.0)
                heads[nm][m] = -r * sgn
        for nm, k, s, p in self.pools:
            v = outs[nm]
            win, pos = self._windows(v, k, s, p)
            order = np.argsort(-win, axis=-1, kind='stable')
            top_i, sec_i = order[..., 0], order[..., 1]
            top = np.take_along_axis(win, top_i[..., None], -1)[..., 0]
            sec = np.take_along_axis(win, sec_i[..., None], -1)[..., 0]
            live = top > 0  # windows whose maximum is zero (all pre-ReLU negative) pass no gradient on
            gap = top - sec
            if live.any():
                pool_margin = min(pool_margin, float(gap[live].min()))
            bad = live & (gap < self.target)
            r = (self.target - gap)[bad]
            loss += 0.5 * float((r.astype(np.float64) ** 2).sum())
            if want_heads and bad.any():
                n_i, c_i, oh_i, ow_i = np.nonzero(bad)
                ptop = pos[oh_i, ow_i, top_i[bad]]
                psec = pos[oh_i, ow_i, sec_i[bad]]
                flat = heads[nm].reshape(v.shape[0], v.shape[1], -1)
                np.add.at(flat, (n_i, c_i, ptop), -r)
                np.add.at(flat, (n_i, c_i, psec), r)
        return loss, relu_margin, pool_margin, heads

    def input_gradient(self, x, heads):
        self.mod.forward(mx.io.DataBatch([mx.nd.array(x)], None), is_train=True)
        self.mod.backward(out_grads=[mx.nd.array(heads[nm]) for nm in self.names])
        return self.mod.get_input_grads()[0].asnumpy().astype(np.float64)

    def ok(self, relu_margin, pool_margin):
        return relu_margin > self.t and pool_margin > self.t

    def nudge(self, x0, max_iters):
        """Gradient descent with a backtracking step on the input pixels (kept in 0..255)."""
        x = x0.astype(np.float32).copy()
        loss, rm, pm, heads = self.evaluate(x, True)
        first = (rm, pm)
        alpha = None
        for it in range(max_iters):
            if self.ok(rm, pm):
                return x, rm, pm, it, first
            g = self.input_gradient(x, heads)
            gg = float((g ** 2).sum())
            if gg == 0:
                break
            if alpha is None:
                alpha = loss / gg
            for _ in range(30):
                xn = np.clip(x - alpha * g, 0, 255).astype(np.float32)
                ln, rmn, pmn, hn = self.evaluate(xn, True)
                if ln < loss:
                    x, loss, rm, pm, heads = xn, ln, rmn, pmn, hn
                    alpha *= 1.5
                    break
                alpha *= 0.5
            else:
                break
        return x, rm, pm, max_iters, first


# ---------------------------------------------------------------- one case

def exec_aux(mod):
    g = mod._exec_group
    return {nm: arrs[0].copy() for nm, arrs in zip(g.aux_names, g.aux_arrays)}


def maxdiff(a, b):
    return max(float(np.abs(a[k].asnumpy() - b[k].asnumpy()).max()) for k in a)


def make_case(case, out_dir):
    name, batch, classes, ml = case['name'], case['batch'], case['classes'], case['multi_label']
    c, h, w = map(int, case['shape'].split(','))
    dshape = (batch, c, h, w)
    lshape = (batch, classes) if ml else (batch,)
    sym, filters = build_symbol(case)
    for seed in range(1, ARGS.max_seeds + 1):
        rng = np.random.RandomState(seed)
        mx.random.seed(seed)
        mod = mx.mod.Module(sym, context=mx.cpu())
        mod.bind(data_shapes=[('data', dshape)], label_shapes=[('softmax_label', lshape)],
                 for_training=True, inputs_need_grad=True)
        mod.init_params(initializer=mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2))
        arg, aux = mod.get_params()
        for k in sym.list_arguments():
            if k not in arg:
                continue
            if k.endswith('gamma') and k != 'bn_data_gamma':
                arg[k] = mx.nd.array(rng.uniform(0.5, 1.5, arg[k].shape))
            if k.endswith('beta'):
                arg[k] = mx.nd.array(rng.randn(*arg[k].shape) * 0.1)
        mod.set_params(arg, aux)
        calib = [rng.uniform(0, 255, dshape).astype(np.float32) for _ in range(CALIBRATION_PASSES)]
        x_drawn = rng.uniform(0, 255, dshape).astype(np.float32)
        y = (rng.randint(0, 2, (batch, classes)) if ml else rng.randint(0, classes, batch)).astype(np.float32)
        probe = Probe(sym, dshape, arg, aux, ARGS.threshold)
        x, rm, pm, iters, first = probe.nudge(x_drawn, ARGS.max_iters)
        print('  %s seed %d: drawn batch relu margin %.3g, pool gap %.3g; after %d nudge steps %.3g / %.3g (max |dx| %.3g)'
              % (name, seed, first[0], first[1], iters, rm, pm, float(np.abs(x - x_drawn).max())), flush=True)
        if probe.ok(rm, pm):
            break
    else:
        raise SystemExit('%s: no seed up to %d reached margin %g' % (name, ARGS.max_seeds, ARGS.threshold))

    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    zeros_label = mx.nd.zeros(lshape)
    for xb in calib:  # bring the moving statistics near the real ones, as a trained model has them
        mod.forward(mx.io.DataBatch([mx.nd.array(xb)], [zeros_label]), is_train=True)
        mod.backward()
    mx.nd.waitall()
    mod._sync_params_from_devices()
    mod.save_checkpoint(os.path.join(d, 'image-classification'), 0)
    dump(os.path.join(d, 'model-shapes.json'), [{'shape': [1, c, h, w], 'name': 'data'}])
    ck = mx.nd.load(os.path.join(d, 'image-classification-0000.params'))
    aux_before = {k[4:]: v for k, v in ck.items() if k.startswith('aux:')}

    db = mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])
    mod.forward(db, is_train=False)
    p_inf = mod.get_outputs()[0].asnumpy()
    mod.forward(db, is_train=True)
    p_train = mod.get_outputs()[0].asnumpy()
    aux_fwd = exec_aux(mod)
    mod.backward()
    mx.nd.waitall()
    grads = {'grad:' + k: g[0].copy() for k, g in zip(mod._exec_group.param_names, mod._exec_group.grad_arrays)}
    grads['grad:data'] = mod.get_input_grads()[0].copy()
    aux_after = exec_aux(mod)
    aux_cached = {k: v.copy() for k, v in mod.get_params()[1].items()}  # what the shared generator saved
    mx.nd.save(os.path.join(d, 'step-gradients.params'), grads)
    mx.nd.save(os.path.join(d, 'step-aux-after.params'), {'aux:' + k: v for k, v in aux_after.items()})
    mx.nd.save(os.path.join(d, 'batch.params'), {'data': mx.nd.array(x), 'label': mx.nd.array(y),
                                                 'prob_inference': mx.nd.array(p_inf),
                                                 'prob_train': mx.nd.array(p_train)})
    sgd = dict(SGD, rescale_grad=1.0 / batch)
    mod.init_optimizer(optimizer='sgd', optimizer_params=sgd)
    mod.update()
    arg2, _ = mod.get_params()
    mx.nd.save(os.path.join(d, 'step-sgd-params-after.params'), {'arg:' + k: v for k, v in arg2.items()})

    # checks
    checks = {}
    checks['aux_after_minus_before_max'] = maxdiff(aux_after, aux_before)
    checks['aux_forward_only_minus_before_max'] = maxdiff(aux_fwd, aux_before)
    checks['stale_get_params_minus_before_max'] = maxdiff(aux_cached, aux_before)
    assert checks['aux_after_minus_before_max'] > 0, 'moving statistics did not change'
    xm = x.astype(np.float64)
    bmean = xm.mean(axis=(0, 2, 3))
    bvar = xm.var(axis=(0, 2, 3))  # biased
    exp_mean = BN_MOMENTUM * aux_before['bn_data_moving_mean'].asnumpy() + (1 - BN_MOMENTUM) * bmean
    exp_var = BN_MOMENTUM * aux_before['bn_data_moving_var'].asnumpy() + (1 - BN_MOMENTUM) * bvar
    checks['bn_data_moving_mean_rel_err'] = float(np.abs(aux_after['bn_data_moving_mean'].asnumpy() - exp_mean).max()
                                                  / np.abs(exp_mean).max())
    checks['bn_data_moving_var_rel_err'] = float(np.abs(aux_after['bn_data_moving_var'].asnumpy() - exp_var).max()
                                                 / np.abs(exp_var).max())
    # the head's gradient, seen in fc1's bias: sum over the batch of the per-sample output gradient
    gb = grads['grad:fc1_bias'].asnumpy().astype(np.float64)
    target = y if ml else np.eye(classes)[y.astype(int)]
    diff = (p_train.astype(np.float64) - target).sum(axis=0)
    checks['fc1_bias_grad_vs_sum(p-y)_max_err'] = float(np.abs(gb - diff).max())
    checks['fc1_bias_grad_vs_sum(p-y)/classes_max_err'] = float(np.abs(gb - diff / classes).max())
    # the SGD step by hand: the momentum starts at zero, and MXNet's Optimizer.set_wd_mult
    # applies weight decay only to names ending in _weight or _gamma (not to biases, betas)
    worst = 0.0
    for k, v in arg2.items():
        wv = ck['arg:' + k].asnumpy().astype(np.float64)
        gv = grads['grad:' + k].asnumpy().astype(np.float64)
        wd = sgd['wd'] if k.endswith('_weight') or k.endswith('_gamma') else 0.0
        exp_w = wv - sgd['learning_rate'] * (sgd['rescale_grad'] * gv + wd * wv)
        worst = max(worst, float(np.abs(v.asnumpy() - exp_w).max() / max(np.abs(exp_w).max(), 1e-12)))
    checks['sgd_by_hand_rel_err'] = worst
    assert worst < 1e-6, worst
    assert checks['stale_get_params_minus_before_max'] == 0  # the shared generator's flaw, reproduced
    assert max(checks['bn_data_moving_mean_rel_err'], checks['bn_data_moving_var_rel_err']) < 1e-5
    head = 'fc1_bias_grad_vs_sum(p-y)/classes_max_err' if ml else 'fc1_bias_grad_vs_sum(p-y)_max_err'
    assert checks[head] < 1e-5, checks
    # the probe's view of the final batch agrees with the saved one
    _, rm2, pm2, _ = probe.evaluate(x, False)
    assert probe.ok(rm2, pm2)

    info = {'num_layers': case['num_layers'], 'image_shape': case['shape'], 'num_classes': classes, 'batch': batch,
            'multi_label': ml, 'sgd': sgd, 'seed': seed, 'relu_margin': rm2,
            'margin_threshold': ARGS.threshold,
            'pool_gap_margin': pm2 if probe.pools else None,
            'drawn_batch_relu_margin': first[0], 'input_nudge_steps': iters,
            'input_nudge_max': float(np.abs(x - x_drawn).max()),
            'filters': filters, 'width_divisor': case['width'],
            'calibration_passes': CALIBRATION_PASSES, 'mxnet': mx.__version__, 'checks': checks,
            'notes': {'head_gradient_per_sample': '(p - y) / num_classes (LogisticRegressionOutput divides by the '
                                                  'outputs per sample)' if ml else 'p - onehot(label)',
                      'sgd_weight_decay_applies_to': 'names ending in _weight or _gamma (MXNet Optimizer.set_wd_mult)',
                      'moving_statistics_updated_in': 'backward'}}
    dump(os.path.join(d, 'case.json'), info)
    return info


if __name__ == '__main__':
    os.makedirs(ARGS.out_dir, exist_ok=True)
    for case in CASES:
        if ARGS.only and case['name'] not in ARGS.only:
            continue
        info = make_case(case, ARGS.out_dir)
        ck = info['checks']
        print('%s: seed %d, relu margin %.4g, pool gap %s, nudge max %.3g; aux after-before %.3g (forward only %.3g, '
              'stale get_params - before %.3g); bn_data moving mean/var rel err %.2g/%.2g; fc1_bias grad vs sum(p-y) '
              '%.3g, vs sum(p-y)/classes %.3g; sgd by hand %.2g' % (
                  case['name'], info['seed'], info['relu_margin'], info['pool_gap_margin'], info['input_nudge_max'],
                  ck['aux_after_minus_before_max'], ck['aux_forward_only_minus_before_max'],
                  ck['stale_get_params_minus_before_max'], ck['bn_data_moving_mean_rel_err'],
                  ck['bn_data_moving_var_rel_err'], ck['fc1_bias_grad_vs_sum(p-y)_max_err'],
                  ck['fc1_bias_grad_vs_sum(p-y)/classes_max_err'], ck['sgd_by_hand_rel_err']), flush=True)
    print('fixtures written to', ARGS.out_dir)
