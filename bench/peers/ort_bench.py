"""Inference throughput of ONNX Runtime on CPU (all graph optimisations) for an ONNX model.

    python ort_bench.py MODEL.onnx BATCH [ITERS] [THREADS]     (the ort venv; defaults 8, 2)

Median over ITERS runs after 2 untimed warm-up runs, on raw-range random input. Prints one
JSON line: {"peer": "ort", "version", "batch", "infer_img_s", "infer_batch_ms"}.
"""
import json
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

path, batch = sys.argv[1], int(sys.argv[2])
iters = int(sys.argv[3]) if len(sys.argv) > 3 else 8
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2

options = ort.SessionOptions()
options.intra_op_num_threads = threads  # the same thread count the other systems get
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
data = session.get_inputs()[0]
x = np.random.RandomState(0).uniform(0, 255, [batch] + list(data.shape[1:])).astype(np.float32)
times = []
for _ in range(2 + iters):
    start = time.perf_counter()
    session.run(None, {data.name: x})
    times.append(time.perf_counter() - start)
median = statistics.median(times[2:])
print(json.dumps({'peer': 'ort', 'version': ort.__version__, 'model': path, 'batch': batch,
                  'infer_img_s': round(batch / median, 2), 'infer_batch_ms': round(1000 * median, 2)}))
