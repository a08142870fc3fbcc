#!/usr/bin/env python3
"""Side-by-side compute benchmark: imgclf against MXNet 1.9.1 and PyTorch (from PyPI),
the same pre-activation ResNet on synthetic data, in one run on one machine.

    python3 bench/compare_compute.py [--iters N] [--cases 18:3,224,224:32 20:3,28,28:128] [--memory]

Needs the peers (`../shared/bench/peers.sh mx pt`, venvs under $PEERS, default /tmp/peers)
and a release build (`swift build -c release --product imgclf`). Prints a Markdown table of
images/s and the ratios imgclf/peer; with --memory also the peak resident memory of one
ResNet-50 3x224x224 batch-32 training run per system (GNU time's maximum RSS)."""
import argparse, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get('SHARED_BENCH', os.path.join(ROOT, '..', 'shared', 'bench'))
PEERS = os.environ.get('PEERS', '/tmp/peers')
IMGCLF = os.path.join(ROOT, '.build', 'release', 'imgclf')


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ours(nl, shape, batch, iters, extra=()):
    return run_json([IMGCLF, 'benchmark', '--num_layers', str(nl), '--image_shape', shape,
                     '--mini_batch_size', str(batch), '--iterations', str(iters), '--num_classes', '10', *extra])


def peer(name, nl, shape, batch, iters, extra=()):
    return run_json([os.path.join(PEERS, name, 'bin', 'python'), os.path.join(SHARED, 'peer_bench.py'),
                     name, str(nl), shape, str(batch), str(iters), *extra])


def peak_rss_mib(cmd):
    r = subprocess.run(['/usr/bin/time', '-f', '%M', *cmd], capture_output=True, text=True, check=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--iters', type=int, default=6)
    ap.add_argument('--cases', nargs='*', default=['18:3,224,224:32', '20:3,28,28:128'])
    ap.add_argument('--memory', action='store_true')
    a = ap.parse_args()
    print('| network | batch | system | train img/s | infer img/s | train vs PyTorch | infer vs PyTorch | train vs MXNet | infer vs MXNet |')
    print('|---|---|---|---|---|---|---|---|---|')
    for case in a.cases:
        nl, shape, batch = case.split(':')
        nl, batch = int(nl), int(batch)
        r = {'imgclf': ours(nl, shape, batch, a.iters), 'pytorch': peer('pt', nl, shape, batch, a.iters),
             'mxnet': peer('mx', nl, shape, batch, a.iters)}
        for sysname, v in r.items():
            cols = [f"ResNet-{nl} {shape}", str(batch), sysname, f"{v['train_img_s']:.1f}", f"{v['infer_img_s']:.1f}"]
            if sysname == 'imgclf':
                for p in ('pytorch', 'mxnet'):
                    cols += [f"{v['train_img_s'] / r[p]['train_img_s']:.2f}x", f"{v['infer_img_s'] / r[p]['infer_img_s']:.2f}x"]
            else:
                cols += [''] * 4
            print('| ' + ' | '.join(cols) + ' |', flush=True)
    if a.memory:
        ours_mib = peak_rss_mib([IMGCLF, 'benchmark', '--num_layers', '50', '--image_shape', '3,224,224',
                                 '--mini_batch_size', '32', '--iterations', '1', '--train-only', '--num_classes', '10'])
        pt_mib = peak_rss_mib([os.path.join(PEERS, 'pt', 'bin', 'python'), os.path.join(SHARED, 'peer_bench.py'),
                               'pt', '50', '3,224,224', '32', '1'])
        print(f"\nPeak resident memory, ResNet-50 3x224x224 batch 32 training: imgclf {ours_mib:.0f} MiB, "
              f"PyTorch {pt_mib:.0f} MiB (PyTorch's run also times inference)")


if __name__ == '__main__':
    main()
