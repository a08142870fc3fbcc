#!/usr/bin/env python3
"""Serving throughput vs the compute benchmark, side by side in one run (issue 5, item 4;
issue 12, item 6: each precision).

For each --precision (default float32, then bf16 on a CPU with bf16 instructions, then int8):
1. `imgclf benchmark --infer-only` on the model's network (--num-layers, --image-shape:
   ResNet-18 3x224x224 by default) at the server's --max-batch, in that precision
   (bf16 is the benchmark's `--precision_dtype float16`): the compute figure. For int8 the
   model is first quantized once (`imgclf quantize`, calibrated on the real photo crops of
   Tests/ServingTests/Resources/photo-crops/train) into MODEL-int8.
2. `imgclf serve --precision P` on the artifact, and CLIENTS threads each posting the
   same 500x375 JPEG to http://127.0.0.1:PORT/invocations until REQUESTS answers have come
   back (after WARMUP untimed ones). Prints throughput, p50/p90/p99 latency, the server's
   batch sizes (from /metrics) and the ratio to the benchmark figure: one JSON line per
   precision, then a Markdown table of them all.

Bounded and local: loopback only, a fixed number of requests, a timeout on every request,
the server is stopped (SIGTERM) at the end.

    python3 bench/serve_load.py [--precision float32 bf16] [--model DIR] [--image FILE]
                                [--clients 16] [--requests 480] [--warmup 48] [--iters 10]
                                [--max-batch 32] [--no-install]

--model defaults to bench/.work/serve-resnet18, made on first use by MXNet 1.9.1 with
bench/peers/mx_bench_model.py (random weights: the compute does not depend on them; the
MXNet peer is installed for it unless --no-install). The image defaults to the real
500x375 JPEG photo of the repository's tests (Tests/ImageDataTests/Resources/sources/photo.jpg).
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import benchlib as b

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('--model', default=os.path.join(b.WORK, 'serve-resnet18'))
ap.add_argument('--image', default=b.PHOTO)
ap.add_argument('--clients', type=int, default=16)
ap.add_argument('--requests', type=int, default=480)
ap.add_argument('--warmup', type=int, default=48)
ap.add_argument('--iters', type=int, default=10, help='timed iterations of the compute benchmark')
ap.add_argument('--port', type=int, default=0, help='loopback port (default: a free one)')
ap.add_argument('--max-batch', type=int, default=32)
ap.add_argument('--max-batch-delay-ms', type=int, default=5)
ap.add_argument('--timeout', type=float, default=120)
ap.add_argument('--skip-benchmark', action='store_true')
ap.add_argument('--precision', nargs='+', choices=['float32', 'bf16', 'int8'], default=None,
                help='serve and benchmark in each, in turn (default: float32, then bf16 when the CPU has '
                     'bf16 instructions, avx512_bf16 or amx_bf16 in /proc/cpuinfo, then int8)')
ap.add_argument('--num-layers', type=int, default=18, help="the model's depth, for the compute benchmark")
ap.add_argument('--image-shape', default='3,224,224', help="the model's C,H,W, for the compute benchmark")
b.add_common_args(ap)
ARGS = ap.parse_args()

if ARGS.precision is None:
    ARGS.precision = ['float32'] + (['bf16'] if b.cpu_has_bf16() else []) + ['int8']
elif 'bf16' in ARGS.precision and not b.cpu_has_bf16():
    sys.exit('--precision bf16: this CPU has no bfloat16 instructions (no avx512_bf16 or amx_bf16 in /proc/cpuinfo)')


def ensure_inputs():
    if os.path.exists(os.path.join(ARGS.model, 'image-classification-0000.params')):
        return
    b.ensure_peers(ARGS, 'mx')
    tmp = ARGS.model.rstrip('/') + '.tmp'  # renamed when complete: an interrupted run leaves no half model
    shutil.rmtree(tmp, ignore_errors=True)
    b.run([b.peer_python('mx'), b.peer_script('mx_bench_model.py'), tmp, 18, '3,224,224', 10])
    os.makedirs(os.path.dirname(os.path.abspath(ARGS.model)), exist_ok=True)
    os.rename(tmp, ARGS.model)


CALIBRATION = os.path.join(b.ROOT, 'Tests', 'ServingTests', 'Resources', 'photo-crops', 'train')


def model_for(precision):
    """The artifact to serve: for int8, the model quantized once beside it (renamed into
    place by imgclf quantize itself, so an interrupted run leaves no half artifact)."""
    if precision != 'int8':
        return ARGS.model
    quantized = ARGS.model.rstrip('/') + '-int8'
    if not os.path.exists(os.path.join(quantized, 'quantization.json')):
        b.run([ARGS.imgclf, 'quantize', '--model', ARGS.model, '--calibration', CALIBRATION, '--output', quantized])
    return quantized


def compute_benchmark(precision):
    """The forward pass alone at the server's largest batch (num_classes does not change the cost)."""
    return b.run_json([ARGS.imgclf, 'benchmark', '--num_layers', ARGS.num_layers, '--image_shape', ARGS.image_shape,
                       '--mini_batch_size', ARGS.max_batch, '--num_classes', '10', '--iterations', ARGS.iters,
                       '--infer-only', '--precision_dtype', {'bf16': 'float16'}.get(precision, precision)])


def post(conn, body):
    conn.request('POST', '/invocations', body=body, headers={'Content-Type': 'image/jpeg', 'Accept': 'application/json'})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise RuntimeError('HTTP %d: %s' % (r.status, data[:200]))
    return data


def wait_ready(proc, log=None):
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = open(log.name).read().strip().splitlines()[-5:] if log else []
            raise SystemExit('server exited early with code %d%s' % (proc.returncode, ''.join('\n' + t for t in tail)))
        try:
            c = http.client.HTTPConnection('127.0.0.1', ARGS.port, timeout=2)
            c.request('GET', '/ping')
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit('server did not answer /ping within 60 s')


def load(body, total):
    """CLIENTS threads, one keep-alive connection each, `total` requests in all."""
    lock = threading.Lock()
    remaining = [total]
    latencies = []
    errors = []

    def client():
        conn = http.client.HTTPConnection('127.0.0.1', ARGS.port, timeout=ARGS.timeout)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            t = time.perf_counter()
            try:
                post(conn, body)
            except Exception as e:  # noqa: BLE001 - report, keep the run bounded
                errors.append(str(e))
                conn = http.client.HTTPConnection('127.0.0.1', ARGS.port, timeout=ARGS.timeout)
                continue
            with lock:
                latencies.append(time.perf_counter() - t)
    threads = [threading.Thread(target=client) for _ in range(ARGS.clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, errors


def batch_sizes(metrics):
    """(forward passes, images) so far, from the Prometheus text."""
    values = {}
    for line in metrics.splitlines():
        for key in ('imgclf_inference_batches_total', 'imgclf_inference_images_total'):
            if line.startswith(key + ' '):
                values[key] = float(line.split()[-1])
    return values.get('imgclf_inference_batches_total', 0), values.get('imgclf_inference_images_total', 0)


def serve(precision, body):
    """One precision: the benchmark, then the server under load; its result as a dict."""
    bench = None if ARGS.skip_benchmark else compute_benchmark(precision)
    # The server's log goes to a file, not a pipe nobody reads (a full pipe would stall it).
    log = open(os.path.join(b.WORK, 'serve_load-%s.log' % precision), 'w')
    server = subprocess.Popen([ARGS.imgclf, 'serve', '--model', model_for(precision), '--host', '127.0.0.1', '--port', str(ARGS.port),
                               '--max-batch', str(ARGS.max_batch), '--max-batch-delay-ms', str(ARGS.max_batch_delay_ms),
                               '--precision', precision],
                              stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        wait_ready(server, log)
        load(body, ARGS.warmup)
        c = http.client.HTTPConnection('127.0.0.1', ARGS.port, timeout=10)
        c.request('GET', '/metrics')
        before = batch_sizes(c.getresponse().read().decode())
        seconds, lat, errors = load(body, ARGS.requests)
        c.request('GET', '/metrics')
        after = batch_sizes(c.getresponse().read().decode())
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
    batches, images = after[0] - before[0], after[1] - before[1]
    result = {
        'precision': precision, 'clients': ARGS.clients, 'requests': len(lat), 'errors': len(errors),
        'image': '%s (%d bytes)' % (os.path.basename(ARGS.image), len(body)),
        'serve_img_s': round(len(lat) / seconds, 1),
        'p50_ms': round(q(0.50), 1), 'p90_ms': round(q(0.90), 1), 'p99_ms': round(q(0.99), 1),
        'mean_batch': round(images / batches, 2) if batches else None,
    }
    if bench:
        result['benchmark_batch'] = ARGS.max_batch
        result['benchmark_infer_img_s'] = bench.get('infer_img_s')
        if bench.get('infer_img_s'):
            result['ratio'] = round(result['serve_img_s'] / bench['infer_img_s'], 3)
    print(json.dumps(result), flush=True)
    if errors:
        print('first error (%s):' % precision, errors[0], file=sys.stderr)
    return result


def main():
    b.check_imgclf(ARGS.imgclf)
    if not ARGS.port:
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            ARGS.port = s.getsockname()[1]
    ensure_inputs()
    os.makedirs(b.WORK, exist_ok=True)
    body = open(ARGS.image, 'rb').read()
    results = [serve(p, body) for p in ARGS.precision]
    print('\n| precision | serve img/s (%d clients) | p50 ms | p99 ms | mean batch | benchmark img/s (batch %d) | serve / benchmark |'
          % (ARGS.clients, ARGS.max_batch))
    print('|---|---|---|---|---|---|---|')
    for r in results:
        bench = r.get('benchmark_infer_img_s')
        print('| %s | %.1f | %.1f | %.1f | %s | %s | %s |' % (
            r['precision'], r['serve_img_s'], r['p50_ms'], r['p99_ms'], r['mean_batch'],
            '%.1f' % bench if bench else '-', '%.3f' % r['ratio'] if 'ratio' in r else '-'))


if __name__ == '__main__':
    main()
