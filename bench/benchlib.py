"""What the scripts in bench/ share: where things are in the clone, the peers' venvs
(installed on first use by bench/peers/install.sh), and running a command for its JSON line.

Everything lives inside the repository: the peers under bench/.peers and the generated
inputs (photo set, models) under bench/.work, both ignored by git. $PEERS and $BENCH_WORK
move them; $IMGCLF names another imgclf binary.
"""
import json
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PEER_SCRIPTS = os.path.join(BENCH, 'peers')
PEERS = os.environ.get('PEERS') or os.path.join(BENCH, '.peers')
WORK = os.environ.get('BENCH_WORK') or os.path.join(BENCH, '.work')
IMGCLF = os.environ.get('IMGCLF') or os.path.join(ROOT, '.build', 'release', 'imgclf')
# Real data in the clone: the MNIST sample, and a real 500x375 JPEG photo from the tests.
MNIST = os.path.join(ROOT, 'sample', 'mnist')
PHOTO = os.path.join(ROOT, 'Tests', 'ImageDataTests', 'Resources', 'sources', 'photo.jpg')


def add_common_args(ap):
    ap.add_argument('--no-install', action='store_true',
                    help='do not install missing peers (bench/peers/install.sh); fail instead')
    ap.add_argument('--imgclf', default=IMGCLF, help='the imgclf binary (default: the release build)')


def check_imgclf(path):
    if not os.access(path, os.X_OK):
        sys.exit('no imgclf binary at %s; build it first: swift build -c release --product imgclf' % path)


def peer_python(name):
    return os.path.join(PEERS, name, 'bin', 'python')


def peer_script(name):
    return os.path.join(PEER_SCRIPTS, name)


def ensure_peers(args, *names):
    """Installs the named peers unless --no-install (the script returns at once when they are
    there), else checks that they are there."""
    if args.no_install:
        missing = [n for n in names if not os.access(peer_python(n), os.X_OK)]
        if missing:
            sys.exit('peer venv missing under %s: %s (run bench/peers/install.sh %s, or drop --no-install)'
                     % (PEERS, ', '.join(missing), ' '.join(missing)))
        return
    env = dict(os.environ, PEERS=PEERS)
    subprocess.run(['bash', os.path.join(PEER_SCRIPTS, 'install.sh'), *names], check=True, env=env)


def run(cmd, **kw):
    """Runs cmd, capturing its output; on failure shows the end of what it printed and exits."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        tail = '\n'.join((r.stdout + r.stderr).strip().splitlines()[-20:])
        sys.exit('command failed (exit %d): %s\n%s' % (r.returncode, ' '.join(map(str, cmd)), tail))
    return r


def run_json(cmd, **kw):
    """The last line a command prints, as JSON (our benchmark and the peer scripts print one)."""
    return json.loads(run(cmd, **kw).stdout.strip().splitlines()[-1])


def onnx_model(num_layers, shape, classes=10):
    """The pre-activation ResNet exported to ONNX by PyTorch (bench/peers/pt_export_onnx.py,
    the pt venv), made once per depth and shape and kept under bench/.work/onnx."""
    model = os.path.join(WORK, 'onnx', 'resnet%d-%s.onnx' % (num_layers, shape.replace(',', 'x')))
    if not os.path.exists(model):
        os.makedirs(os.path.dirname(model), exist_ok=True)
        run([peer_python('pt'), peer_script('pt_export_onnx.py'), num_layers, shape, model + '.tmp', classes])
        os.replace(model + '.tmp', model)
    return model


def onnx_int8_model(num_layers, shape, batch, classes=10):
    """ONNX Runtime's own static int8 quantization (QDQ, bench/peers/ort_quantize.py) of
    onnx_model, calibrated on raw-range random batches; made once and kept beside it."""
    source = onnx_model(num_layers, shape, classes)
    model = source.replace('.onnx', '-int8.onnx')
    if not os.path.exists(model):
        run([peer_python('ort'), peer_script('ort_quantize.py'), source, model + '.tmp.onnx', 4, min(batch, 8)])
        os.replace(model + '.tmp.onnx', model)
    return model


def cpu_has_bf16():
    """Whether the CPU has the bfloat16 instructions imgclf's bf16 needs (AVX-512 BF16 or AMX;
    what DNNL.supportsBFloat16 asks oneDNN), from /proc/cpuinfo's flags."""
    try:
        flags = open('/proc/cpuinfo').read().split()
    except OSError:
        return False
    return 'avx512_bf16' in flags or 'amx_bf16' in flags
