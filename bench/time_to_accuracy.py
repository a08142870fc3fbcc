"""Time to accuracy on real photos: imgclf and its peers train the same pre-activation ResNet with
the same recipe on the same CIFAR-10 JPEG files, one after the other in one run, and each
epoch's validation accuracy is taken with the wall-clock seconds since that system started.
Whole runs count: for imgclf, from `imgclf train` starting to the log line saying the model is
written (report.html, made after it, is timed apart as process_seconds).

  python3 bench/time_to_accuracy.py [--systems imgclf mx pt-cl] [--train-per-class 2000]
      [--val-per-class 1000] [--layers 20] [--shape 3,28,28] [--batch 128] [--epochs 8]
      [--lr 0.1] [--steps 5,7] [--precision float32|bf16] [--data cifar10-jpeg.tar.gz]

Systems: imgclf (float32), imgclf-bf16 (precision_dtype float16: bf16 on CPUs with AVX-512
BF16), mx (MXNet 1.9.1 Module.fit on .rec files its own im2rec packed, packing not timed),
pt, pt-cl (channels-last), pt-bf16 (channels-last, bf16 autocast); the peers run through
bench/peers/peer_tta.py. `--precision bf16` is shorthand for `--systems imgclf-bf16 pt-bf16`.

Prints a table (final accuracy, wall time, the time each system first reached the best peer's
final accuracy, and imgclf's time as a share of each peer's), writes every curve to
bench/.work/tta/results.json, and draws validation accuracy against seconds into
docs/images/time-to-accuracy.svg (--plot PATH moves it; --plot-only redraws from results.json).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import tta_plot  # noqa: E402

PEER_SYSTEMS = ('mx', 'pt', 'pt-cl', 'pt-bf16')
IMGCLF_SYSTEMS = ('imgclf', 'imgclf-bf16')
DEFAULT_DATA = os.path.join(os.path.dirname(benchlib.ROOT), 'shared', 'data', 'cifar10-jpeg.tar.gz')
TTA_WORK = os.path.join(benchlib.WORK, 'tta')


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--systems', nargs='+', default=None, choices=IMGCLF_SYSTEMS + PEER_SYSTEMS)
    ap.add_argument('--precision', choices=('float32', 'bf16'), default='float32',
                    help='default systems: imgclf, mx, pt-cl (float32) or imgclf-bf16, pt-bf16 (bf16)')
    ap.add_argument('--data', default=os.environ.get('CIFAR10_JPEG', DEFAULT_DATA),
                    help='cifar10-jpeg.tar.gz, or a folder of train/ and test/ (or validation/) class folders, '
                         'such as the tarball unpacked or sample/mnist')
    ap.add_argument('--train-per-class', type=int, default=2000, help='training images per class (the last N in name order)')
    ap.add_argument('--val-per-class', type=int, default=1000, help='validation images per class, from test/ (or validation/)')
    ap.add_argument('--layers', type=int, default=20)
    ap.add_argument('--shape', default='3,28,28', help='C,H,W: training crops (random), validation crops (centre)')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--lr', type=float, default=0.1)
    ap.add_argument('--steps', default='5,7', help='epochs where the learning rate drops tenfold')
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--plot', default=os.path.join(benchlib.ROOT, 'docs', 'images', 'time-to-accuracy.svg'))
    ap.add_argument('--results', default=os.path.join(TTA_WORK, 'results.json'),
                    help='where the curves are kept (default bench/.work/tta/results.json)')
    ap.add_argument('--plot-only', action='store_true', help='redraw the plot and table from the results file')
    benchlib.add_common_args(ap)
    a = ap.parse_args()
    if a.systems is None:
        a.systems = ['imgclf', 'mx', 'pt-cl'] if a.precision == 'float32' else ['imgclf-bf16', 'pt-bf16']
    return a


def unpacked(data):
    """The folder holding train/ and test/ (or validation/): `data` itself, or the tarball
    unpacked once."""
    if os.path.isdir(data):
        return os.path.abspath(data)  # the links made below must not depend on the directory
    if not os.path.isfile(data):
        sys.exit('no CIFAR-10 JPEG data at %s (pass --data or set CIFAR10_JPEG)' % data)
    target = os.path.join(TTA_WORK, 'cifar10-jpeg')
    stamp = os.path.join(target, '.unpacked')
    if not os.path.exists(stamp):
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        with tarfile.open(data) as tar:
            tar.extractall(target, filter='data')
        open(stamp, 'w').close()
    inner = [d for d in os.listdir(target) if os.path.isdir(os.path.join(target, d, 'train'))]
    return os.path.join(target, inner[0]) if inner and not os.path.isdir(os.path.join(target, 'train')) else target


def subset(root, split, per_class, name):
    """Class folders of symbolic links to the last `per_class` images of each class (name
    order), so every system reads exactly the same files; returns the folder and the count."""
    out = os.path.join(TTA_WORK, name)
    shutil.rmtree(out, ignore_errors=True)
    count = 0
    source = os.path.join(root, split)
    if split == 'test' and not os.path.isdir(source):
        source = os.path.join(root, 'validation')  # as sample/mnist names it
    if not os.path.isdir(source):
        sys.exit('no %s/ folder of class folders in %s' % (split, root))
    for cls in sorted(os.listdir(source)):
        files = sorted(os.listdir(os.path.join(source, cls)))[-per_class:]
        os.makedirs(os.path.join(out, cls))
        for f in files:
            os.symlink(os.path.join(source, cls, f), os.path.join(out, cls, f))
        count += len(files)
    return out, count


def run_imgclf(a, system, train, val, train_count):
    out = os.path.join(TTA_WORK, 'model-' + system)
    shutil.rmtree(out, ignore_errors=True)
    cmd = [a.imgclf, 'train', '--train', train, '--validation', val, '--output', out,
           '--num_classes', '10', '--num_training_samples', str(train_count), '--image_shape', a.shape,
           '--num_layers', str(a.layers), '--mini_batch_size', str(a.batch), '--epochs', str(a.epochs),
           '--learning_rate', str(a.lr), '--momentum', '0.9', '--weight_decay', '0.0001',
           '--lr_scheduler_factor', '0.1', '--augmentation_type', 'crop']
    if a.steps:
        cmd += ['--lr_scheduler_step', a.steps]
    if system == 'imgclf-bf16':
        cmd += ['--precision_dtype', 'float16']
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    pattern = re.compile(r'Epoch\[(\d+)\] Validation-accuracy=([0-9.]+)')
    curve, tail, written = [], [], None
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        tail = (tail + [line.rstrip()])[-20:]
        m = pattern.search(line)
        if m:
            curve.append({'epoch': int(m.group(1)), 'seconds': round(time.time() - start, 2), 'val_acc': float(m.group(2))})
        if written is None and 'model written to' in line:
            written = time.time() - start
    if proc.wait() != 0:
        sys.exit('imgclf failed (exit %d): %s\n%s' % (proc.returncode, ' '.join(cmd), '\n'.join(tail)))
    # The run ends when the model is written; report.html, made after it, is kept apart.
    process = time.time() - start
    return {'system': system, 'curve': curve, 'seconds': round(written if written is not None else process, 1),
            'process_seconds': round(process, 1)}


def run_peer(a, system, train, val):
    venv = 'mx' if system == 'mx' else 'pt'
    work = os.path.join(TTA_WORK, 'work-' + system)
    os.makedirs(work, exist_ok=True)
    cmd = [benchlib.peer_python(venv), benchlib.peer_script('peer_tta.py'), system, train, val,
           '--layers', a.layers, '--shape', a.shape, '--batch', a.batch, '--lr', a.lr, '--steps', a.steps,
           '--epochs', a.epochs, '--threads', a.threads, '--work', work]
    start = time.time()
    lines = benchlib.run(cmd).stdout.strip().splitlines()
    wall = time.time() - start
    records = [json.loads(l) for l in lines if l.startswith('{')]
    curve = [r for r in records if 'val_acc' in r]
    summary = next((r for r in records if 'peer' in r), {})
    # The peer's own clock starts after imports (and for mx after packing, which imgclf is
    # spared too: it could read the same .rec files); its summary is that clock's total.
    return {'system': system, 'curve': curve, 'seconds': summary.get('seconds', round(wall, 1)),
            'process_seconds': round(wall, 1)}


def report(results, config):
    rows = [r for r in results if r['curve']]
    peers = [r for r in rows if r['system'] not in IMGCLF_SYSTEMS]
    ours = [r for r in rows if r['system'] in IMGCLF_SYSTEMS]
    target = max((p['curve'][-1]['val_acc'] for p in peers), default=None)
    print('\n%s' % config)
    head = '%-12s %10s %10s %s' % ('system', 'final acc', 'wall s', 'reached %s at' % ('%.1f%%' % (100 * target) if target else 'best peer'))
    print(head)
    print('-' * len(head))
    for r in rows:
        reach = next((c['seconds'] for c in r['curve'] if target is not None and c['val_acc'] >= target), None)
        r['reached_target_seconds'] = reach
        print('%-12s %9.1f%% %10.1f %s' % (r['system'], 100 * r['curve'][-1]['val_acc'], r['seconds'],
                                           '%.1f s' % reach if reach is not None else 'never'))
    for o in ours:
        for p in peers:
            print('%s time as a share of %s: %.2fx wall, accuracy %+.1f points'
                  % (o['system'], p['system'], o['seconds'] / p['seconds'],
                     100 * (o['curve'][-1]['val_acc'] - p['curve'][-1]['val_acc'])))


def main():
    a = parse_args()
    results_file = a.results
    if a.plot_only:
        saved = json.load(open(results_file))
        report(saved['results'], saved['config'])
        tta_plot.write_svg(saved['results'], saved['config'], a.plot)
        return
    if any(s in IMGCLF_SYSTEMS for s in a.systems):
        benchlib.check_imgclf(a.imgclf)
    if 'imgclf-bf16' in a.systems and not benchlib.cpu_has_bf16():
        print('warning: this CPU has no AVX-512 BF16: imgclf-bf16 runs in float32 (imgclf says so)', file=sys.stderr)
    benchlib.ensure_peers(a, *sorted({'mx' if s == 'mx' else 'pt' for s in a.systems if s in PEER_SYSTEMS}))
    os.makedirs(TTA_WORK, exist_ok=True)
    root = unpacked(a.data)
    train, train_count = subset(root, 'train', a.train_per_class, 'train')
    val, val_count = subset(root, 'test', a.val_per_class, 'validation')
    # Named for the data given: the default CIFAR-10 copy, or another train/ test/ folder.
    name = 'CIFAR-10 JPEG' if os.path.abspath(a.data) == os.path.abspath(DEFAULT_DATA) else os.path.basename(os.path.normpath(a.data))
    config = ('%s, %d training images, %d validation, ResNet-%d at %s, batch %d, %d epochs, lr %g, steps at %s, '
              '%d threads' % (name, train_count, val_count, a.layers, a.shape, a.batch, a.epochs, a.lr, a.steps or 'none', a.threads))
    print(config, flush=True)
    results = []
    for system in a.systems:
        print('training %s ...' % system, flush=True)
        r = run_imgclf(a, system, train, val, train_count) if system in IMGCLF_SYSTEMS else run_peer(a, system, train, val)
        print(json.dumps(r), flush=True)
        results.append(r)
    report(results, config)
    with open(results_file + '.tmp', 'w') as f:
        json.dump({'config': config, 'results': results}, f, indent=1)
    os.replace(results_file + '.tmp', results_file)
    tta_plot.write_svg(results, config, a.plot)
    print('curves: %s; plot: %s' % (results_file, a.plot))


if __name__ == '__main__':
    main()
