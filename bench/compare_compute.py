#!/usr/bin/env python3
"""Side-by-side compute benchmark: imgclf against MXNet 1.9.1 and PyTorch (from PyPI),
the same pre-activation ResNet on synthetic data, in one run on one machine.

    python3 bench/compare_compute.py [--iters N] [--cases 18:3,224,224:32 20:3,28,28:128]
                                     [--memory] [--ort] [--no-install]

Installs the peers it needs on first run (bench/peers/install.sh mx pt [ort], venvs under
bench/.peers) unless --no-install, and runs the release build (`swift build -c release
--product imgclf`). Prints a Markdown table of images/s and the ratios imgclf/peer; with
--ort also ONNX Runtime's inference on the same network exported from PyTorch; with
--memory the peak resident memory of one ResNet-50 3x224x224 batch-32 training run per
system (GNU time's maximum RSS)."""
import argparse
import os
import subprocess

import benchlib as b


def ours(a, nl, shape, batch, extra=()):
    return b.run_json([a.imgclf, 'benchmark', '--num_layers', nl, '--image_shape', shape,
                       '--mini_batch_size', batch, '--iterations', a.iters, '--num_classes', '10', *extra])


def peer(a, name, nl, shape, batch, extra=()):
    return b.run_json([b.peer_python(name), b.peer_script('peer_bench.py'), name, nl, shape, batch, a.iters, *extra])


def onnx_runtime(a, nl, shape, batch):
    """PyTorch exports the network (once per shape, kept under bench/.work), ONNX Runtime runs it."""
    return b.run_json([b.peer_python('ort'), b.peer_script('ort_bench.py'), b.onnx_model(nl, shape), batch, a.iters, '2'])


def peak_rss_mib(cmd):
    r = subprocess.run(['/usr/bin/time', '-f', '%M', *map(str, cmd)], capture_output=True, text=True, check=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--iters', type=int, default=6, help='timed iterations per figure (after 2 warm-up ones)')
    ap.add_argument('--cases', nargs='*', default=['18:3,224,224:32', '20:3,28,28:128'],
                    help='NUM_LAYERS:C,H,W:BATCH ...')
    ap.add_argument('--memory', action='store_true')
    ap.add_argument('--ort', action='store_true', help='also ONNX Runtime (inference only)')
    b.add_common_args(ap)
    a = ap.parse_args()
    b.check_imgclf(a.imgclf)
    b.ensure_peers(a, 'mx', 'pt', *(['ort'] if a.ort else []))
    if a.memory and not os.access('/usr/bin/time', os.X_OK):
        raise SystemExit('--memory needs GNU time: apt-get install -y time')

    peers = [('pytorch', 'PyTorch'), ('mxnet', 'MXNet')] + ([('onnxruntime', 'ONNX Runtime')] if a.ort else [])
    head = ['network', 'batch', 'system', 'train img/s', 'infer img/s']
    for key, label in peers:
        head += ([] if key == 'onnxruntime' else ['train vs ' + label]) + ['infer vs ' + label]
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for case in a.cases:
        nl, shape, batch = case.split(':')
        nl, batch = int(nl), int(batch)
        r = {'imgclf': ours(a, nl, shape, batch), 'pytorch': peer(a, 'pt', nl, shape, batch),
             'mxnet': peer(a, 'mx', nl, shape, batch)}
        if a.ort:
            r['onnxruntime'] = onnx_runtime(a, nl, shape, batch)
        for system, v in r.items():
            train = v.get('train_img_s')
            cols = ['ResNet-%d %s' % (nl, shape), str(batch), system,
                    '%.1f' % train if train else '', '%.1f' % v['infer_img_s']]
            for key, _ in peers:
                p = r[key]
                ratios = [] if key == 'onnxruntime' else ['train_img_s']
                for field in ratios + ['infer_img_s']:
                    cols.append('%.2fx' % (v[field] / p[field]) if system == 'imgclf' else '')
            print('| ' + ' | '.join(cols) + ' |', flush=True)
    if a.memory:
        ours_mib = peak_rss_mib([a.imgclf, 'benchmark', '--num_layers', 50, '--image_shape', '3,224,224',
                                 '--mini_batch_size', 32, '--iterations', 1, '--train-only', '--num_classes', 10])
        pt = [b.peer_python('pt'), b.peer_script('peer_bench.py'), 'pt', 50, '3,224,224', 32, 1]
        pt_mib, pt_cl_mib = peak_rss_mib(pt), peak_rss_mib(pt + ['--channels-last'])
        print("\nPeak resident memory, ResNet-50 3x224x224 batch 32 training: imgclf %.0f MiB, "
              "PyTorch %.0f MiB, PyTorch channels-last %.0f MiB (imgclf %.2fx the lower; "
              "PyTorch's runs also time inference)" % (ours_mib, pt_mib, pt_cl_mib, ours_mib / min(pt_mib, pt_cl_mib)))


if __name__ == '__main__':
    main()
