#!/usr/bin/env python3
"""Side-by-side inference benchmark (issue 12): imgclf against ONNX Runtime and PyTorch
channels-last, the same pre-activation ResNet on synthetic data, in one run on one machine.

    python3 bench/compare_inference.py [--precision float32 [bf16] [int8]] [--iters 10]
                                       [--latency-iters 30] [--cases 18:3,224,224:32 ...]
                                       [--json FILE] [--no-install]

Every system gets 2 threads and a median over the timed iterations (after 2 warm-up ones):
- imgclf: `imgclf benchmark --infer-only` (bf16: `--precision_dtype float16`, our bf16); the
  float32 table also times it with `--convolutions direct` (no Winograd) for the speed-up;
- ONNX Runtime: the network exported from PyTorch (bench/peers/pt_export_onnx.py, kept under
  bench/.work/onnx), run by bench/peers/ort_bench.py with all graph optimisations, float32
  (its CPU provider has no bf16 path, so the bf16 table compares against its float32);
- PyTorch: bench/peers/peer_bench.py pt --infer-only --channels-last (bf16: --bf16, autocast).
- int8: `imgclf benchmark --infer-only --precision_dtype int8` (convolutions calibrated on
  the synthetic batch) against ONNX Runtime float32 and ONNX Runtime's own static int8
  (`quantize_static`, QDQ, per-channel weights, MinMax on random batches: ort_quantize.py).
A case NUM_LAYERS:C,H,W:BATCH with batch 1 is a latency case: the median time of one
forward pass in ms (every system times each iteration; it is not 1/throughput of a batch).
Other cases give images/s. Ratios are imgclf/peer: above 1 is faster for images/s, below 1
is faster for ms. The float32 table marks issue 12's targets against ONNX Runtime.

Installs the peers it needs on first run (bench/peers/install.sh pt ort, venvs under
bench/.peers) unless --no-install, and runs the release build (`swift build -c release
--product imgclf`).
"""
import argparse
import json

import benchlib as b

DEFAULT_CASES = ['18:3,224,224:32', '50:3,224,224:32', '20:3,28,28:128', '18:3,224,224:1', '50:3,224,224:1']
# Issue 12, item 2 (float32, against ONNX Runtime): (num_layers, shape, batch) -> bound.
# Images/s cases must reach at least the ratio; batch-1 latency must stay at most the ratio.
TARGETS = {(18, '3,224,224', 32): 1.15, (50, '3,224,224', 32): 1.1, (20, '3,28,28', 128): 1.1,
           (18, '3,224,224', 1): 0.9, (50, '3,224,224', 1): 0.9}
# Issue 12, item 4: int8 against ONNX Runtime float32.
INT8_TARGETS = {(18, '3,224,224', 32): 2.0}
PRECISIONS = ['float32', 'bf16', 'int8']


def parse_case(text):
    try:
        nl, shape, batch = text.split(':')
        if len(shape.split(',')) != 3:
            raise ValueError
        return int(nl), shape, int(batch)
    except ValueError:
        raise SystemExit('a case is NUM_LAYERS:C,H,W:BATCH, e.g. 18:3,224,224:32; got %r' % text)


def imgclf(a, nl, shape, batch, iters, precision, convolutions='automatic'):
    return b.run_json([a.imgclf, 'benchmark', '--infer-only', '--num_layers', nl, '--image_shape', shape,
                       '--mini_batch_size', batch, '--iterations', iters, '--num_classes', 10,
                       '--precision_dtype', {'bf16': 'float16'}.get(precision, precision), '--convolutions', convolutions])


def pytorch(nl, shape, batch, iters, precision):
    return b.run_json([b.peer_python('pt'), b.peer_script('peer_bench.py'), 'pt', nl, shape, batch, iters,
                       '--infer-only', '--channels-last', *(['--bf16'] if precision == 'bf16' else [])])


def onnx_runtime(nl, shape, batch, iters, int8=False):
    model = b.onnx_int8_model(nl, shape, batch) if int8 else b.onnx_model(nl, shape)
    return b.run_json([b.peer_python('ort'), b.peer_script('ort_bench.py'), model, batch, iters, 2])


def int8_table(a, cases, ort, ours, raw):
    """imgclf int8 against ONNX Runtime float32 and ONNX Runtime's static int8 (no PyTorch:
    its CPU int8 path is a different network API, not the same exported graph)."""
    print('\n### int8 inference, 2 threads (imgclf --precision_dtype int8; ONNX Runtime float32 and quantize_static QDQ)\n')
    head = ['case', 'batch', 'imgclf int8', 'ONNX Runtime float32', 'ONNX Runtime int8', 'imgclf / ORT float32',
            'imgclf / ORT int8', 'issue 12 target', 'imgclf int8 speed-up over float32']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for nl, shape, batch in cases:
        latency = batch == 1
        iters = a.latency_iters if latency else a.iters
        key = (nl, shape, batch)
        mine = imgclf(a, nl, shape, batch, iters, 'int8')
        if key not in ort:
            ort[key] = onnx_runtime(nl, shape, batch, iters)
        ort8 = onnx_runtime(nl, shape, batch, iters, int8=True)
        raw.append({'case': '%d:%s:%d' % key, 'precision': 'int8', 'latency': latency,
                    'imgclf': mine, 'onnxruntime': ort[key], 'onnxruntime_int8': ort8})
        (m, mt), (o, ot), (q, qt) = figure(mine, latency), figure(ort[key], latency), figure(ort8, latency)
        bound = INT8_TARGETS.get(key)
        target = '' if bound is None else '%s >= %.2fx ORT float32' % ('PASS' if m / o >= bound else 'FAIL', bound)
        f32 = ours.get(('float32',) + key)
        speedup = '%.2fx' % (f32['infer_batch_ms'] / mine['infer_batch_ms']) if f32 else ''
        cols = ['ResNet-%d %s' % (nl, shape.replace(',', 'x')), '%d%s' % (batch, ' (latency)' if latency else ''),
                mt, ot, qt, '%.2fx' % (m / o), '%.2fx' % (m / q), target, speedup]
        print('| ' + ' | '.join(cols) + ' |', flush=True)


def figure(result, latency):
    """(value, text): ms per forward pass for a latency case, else images/s."""
    v = result['infer_batch_ms'] if latency else result['infer_img_s']
    return v, ('%.2f ms' % v if latency else '%.1f' % v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--precision', nargs='+', choices=PRECISIONS, default=['float32'])
    ap.add_argument('--cases', nargs='+', default=DEFAULT_CASES, help='NUM_LAYERS:C,H,W:BATCH ... (batch 1: latency)')
    ap.add_argument('--iters', type=int, default=10, help='timed iterations per images/s figure (after 2 warm-up ones)')
    ap.add_argument('--latency-iters', type=int, default=30, help='timed iterations per batch-1 latency figure')
    ap.add_argument('--json', help='also write every raw result to this file')
    b.add_common_args(ap)
    a = ap.parse_args()
    cases = [parse_case(c) for c in a.cases]
    a.precision = sorted(set(a.precision), key=PRECISIONS.index)  # float32 first: the speed-ups need it
    if 'bf16' in a.precision and not b.cpu_has_bf16():
        # imgclf benchmark does not refuse it, but no bf16 kernel would run: the figure would mean nothing.
        print('bf16 skipped: this CPU has no bfloat16 instructions (no avx512_bf16 or amx_bf16 in /proc/cpuinfo)')
        a.precision.remove('bf16')
        if not a.precision:
            return
    b.check_imgclf(a.imgclf)
    b.ensure_peers(a, 'pt', 'ort')

    raw = []
    ort = {}  # float32 only: measured once, shown in every precision's table
    ours = {}
    for precision in a.precision:
        if precision == 'int8':
            int8_table(a, cases, ort, ours, raw)
            continue
        print('\n### %s inference, 2 threads%s\n' % (precision, '' if precision == 'float32' else
              ' (imgclf bf16 = --precision_dtype float16; PyTorch bf16 autocast; ONNX Runtime float32)'))
        head = ['case', 'batch', 'imgclf', 'ONNX Runtime', 'PyTorch channels-last', 'imgclf / ORT', 'imgclf / PyTorch']
        head += ['issue 12 target', 'imgclf direct convolutions', 'Winograd speed-up'] if precision == 'float32' else []
        head += ['imgclf bf16 speed-up over float32'] if precision == 'bf16' and 'float32' in a.precision else []
        print('| ' + ' | '.join(head) + ' |')
        print('|' + '---|' * len(head))
        for nl, shape, batch in cases:
            latency = batch == 1
            iters = a.latency_iters if latency else a.iters
            key = (nl, shape, batch)
            mine = imgclf(a, nl, shape, batch, iters, precision)
            if key not in ort:
                ort[key] = onnx_runtime(nl, shape, batch, iters)
            pt = pytorch(nl, shape, batch, iters, precision)
            ours[(precision,) + key] = mine
            raw.append({'case': '%d:%s:%d' % key, 'precision': precision, 'latency': latency,
                        'imgclf': mine, 'onnxruntime': ort[key], 'pytorch': pt})
            (m, mt), (o, ot), (p, pt_text) = figure(mine, latency), figure(ort[key], latency), figure(pt, latency)
            cols = ['ResNet-%d %s' % (nl, shape.replace(',', 'x')), '%d%s' % (batch, ' (latency)' if latency else ''),
                    mt, ot, pt_text, '%.2fx' % (m / o), '%.2fx' % (m / p)]
            if precision == 'float32':
                bound = TARGETS.get(key)
                if bound is None:
                    cols.append('')
                else:
                    ok = m / o <= bound if latency else m / o >= bound
                    cols.append('%s %s %.2fx ORT' % ('PASS' if ok else 'FAIL', '<=' if latency else '>=', bound))
                # The same network with every convolution direct (no Winograd): what the algorithm choice gives.
                direct = imgclf(a, nl, shape, batch, iters, precision, 'direct')
                raw[-1]['imgclf_direct'] = direct
                cols += [figure(direct, latency)[1], '%.2fx' % (direct['infer_batch_ms'] / mine['infer_batch_ms'])]
            if precision == 'bf16' and 'float32' in a.precision:
                f32 = ours[('float32',) + key]
                # float32's time over bf16's: the speed-up, for images/s and latency alike.
                cols.append('%.2fx' % (f32['infer_batch_ms'] / mine['infer_batch_ms']))
            print('| ' + ' | '.join(cols) + ' |', flush=True)
    print('\nRatios are imgclf/peer: for images/s higher is better, for latency (ms) lower is better.')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(raw, f, indent=1)


if __name__ == '__main__':
    main()
