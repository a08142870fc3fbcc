#!/usr/bin/env bash
# Installs the peer systems the benchmarks compare imgclf against, each in its own
# virtual environment, from PyPI only:
#   mx   MXNet 1.9.1 (the original algorithm's engine) + OpenCV, for compute, data and MNIST runs
#   pt   PyTorch (what most users would pick instead) + onnx, for compute runs and ONNX export;
#        pillow, for peer_tta.py to decode the photos
#   ort  ONNX Runtime + onnx, for inference runs on the exported graph (float32 and its static int8)
#   plot matplotlib, for the time-to-accuracy curves (bench/time_to_accuracy.py)
#   onednn3  oneDNN 3.x (PyPI's onednn + onednn-devel: libdnnl.so.3 and its headers, ~2 GB with
#        its SYCL/TBB runtime), for bench/compare_onednn.py against Debian's 2.6
#
#   bench/peers/install.sh [mx|pt|ort|plot|onednn3|all ...]     (default: all)
#
# The venvs go under $PEERS, default bench/.peers inside the clone (git ignores it).
# Idempotent: a finished venv is left alone, so the benchmark scripts call this on every
# start at no cost.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS=${PEERS:-$(dirname "$here")/.peers}
PYTHON=${PYTHON:-python3}
mkdir -p "$PEERS"

# venv NAME 'IMPORTS' PACKAGE...: make $PEERS/NAME with these packages. A stamp file holding
# the package list marks a finished install: checking it is instant (importing torch is not),
# an interrupted install has none, and a changed list here installs again.
venv() {
  local name=$1 imports=$2; shift 2
  local py="$PEERS/$name/bin/python" stamp="$PEERS/$name/.installed"
  if [[ -x $py && -f $stamp && $(cat "$stamp") == "$*" ]]; then
    return
  fi
  echo "installing peer '$name' into $PEERS/$name (PyPI: $*)" >&2
  rm -f "$stamp"
  [[ -x $py ]] || "$PYTHON" -m venv "$PEERS/$name"
  "$py" -m pip install -q --disable-pip-version-check --upgrade pip >&2
  "$py" -m pip install -q --disable-pip-version-check "$@" >&2
  "$py" -c "import $imports"   # fail here, not in the middle of a benchmark
  echo "$*" > "$stamp"
}

peers=()
for w in "${@:-all}"; do
  case $w in
    mx|pt|ort|plot|onednn3) peers+=("$w") ;;
    all) peers+=(mx pt ort) ;;
    *) echo "usage: $0 [mx|pt|ort|plot|onednn3|all ...]" >&2; exit 2 ;;
  esac
done
for p in "${peers[@]}"; do
  case $p in
    # MXNet 1.9.1 was built against the numpy 1.x API that numpy 1.24 removed (np.bool etc.).
    # OpenCV reads and writes the photo set and the MNIST PNGs for the MXNet-side scripts; it
    # stays below 4.9, the series known to work beside numpy<1.24 (later wheels move to numpy 2).
    mx) venv mx 'mxnet, cv2' 'mxnet==1.9.1' 'numpy<1.24' 'opencv-python-headless<4.9' ;;
    # PyPI's torch wheel is the only one reachable here; torchvision is not needed (pt_resnet.py
    # builds the network itself). onnx lets torch.onnx.export write the graph for the ort peer.
    pt) venv pt 'torch, onnx, PIL' torch onnx numpy pillow ;;
    ort) venv ort 'onnxruntime, onnx' onnxruntime onnx numpy ;;  # onnx: ort_quantize.py (quantize_static)
    plot) venv plot 'matplotlib' matplotlib ;;
    # The version PyTorch's wheel bundles (3.13); the harness is C, so only the files matter.
    onednn3) venv onednn3 'sys' 'onednn==2026.1.0' 'onednn-devel==2026.1.0' ;;
  esac
done
echo "peers ready in $PEERS: ${peers[*]}" >&2
