#!/usr/bin/env python3
"""The image-classification notebooks' flows, replayed through the SageMaker Python SDK.

Run by scripts/test-sagemaker-flows (which makes the venv and finds the binary):

    .venv-sagemaker/bin/python tests-python/sagemaker_flows.py --imgclf .build/release/imgclf

Each flow is the notebook's own code (sagemaker.estimator.Estimator, TrainingInput, fit,
deploy/predict, transformer/transform) with two changes only: image_uri names our image
and the session is a LocalSession, so local mode runs the jobs on this machine with
`file://` data and no AWS account. Local mode starts containers with `docker compose`;
tests-python/local_compose.py stands in for it and starts the SDK's compose services
through podman (the image, when `localhost/imgclf:latest` exists) or the imgclf binary
on the job folder the SDK wrote (see docs/notebooks.md).

Flows (the notebooks, introduction_to_amazon_algorithms/imageclassification_*):
  rec-endpoint       .rec channels (application/x-recordio), fit, deploy, predict a PNG
  lst-transform      images + .lst channels (application/x-image), fit, batch transform
  incremental        a model channel (application/x-sagemaker-model) from the first model
  pipe-manifest      Pipe mode, augmented manifest (AttributeNames source-ref, class; RecordIO)
  multilabel-lst     multi_label=1 with a multi-hot .lst (labels 0/1, and a 2 that counts as 1)
"""
import argparse
import contextlib
import io
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, "sample", "mnist")
HERE = os.path.dirname(os.path.abspath(__file__))

# The notebooks' hyperparameters, scaled to 28x28 digits and a few hundred images.
IMAGE_SHAPE = "1,28,28"
NUM_CLASSES = 10
TRAIN_PER_CLASS = 50
VALIDATION_PER_CLASS = 10
EPOCHS = 3
MIN_ACCURACY = 0.3  # chance is 0.1; measured runs: see docs/notebooks.md


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------- the environment


def setup_environment(args, work):
    """Fake AWS settings (local mode asks boto for a region and credentials, never AWS)
    and a `docker` first on PATH that is local_compose.py."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-west-2")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local-mode-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local-mode-test")
    os.environ["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"
    os.environ.pop("AWS_PROFILE", None)
    # The SDK reports each call to an AWS telemetry endpoint unless the config opts out.
    config = os.path.join(work, "sagemaker-config.yaml")
    with open(config, "w") as f:
        f.write("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n")
    os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"] = config
    bin_dir = os.path.join(work, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    shim = os.path.join(bin_dir, "docker")
    with open(shim, "w") as f:
        f.write(f"#!/bin/sh\nexec '{sys.executable}' '{os.path.join(HERE, 'local_compose.py')}' \"$@\"\n")
    os.chmod(shim, 0o755)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ["PATH"]
    os.environ["IMGCLF_BIN"] = args.imgclf
    os.environ["IMGCLF_COMPOSE_BACKEND"] = args.backend
    # One thread pool for the binary; the image gets the same through the environment.
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 2))


def record_training_requests(work):
    """Local mode has no Pipe mode: it writes every channel as File mode. So that the compose
    stand-in can deliver a Pipe channel as the service does, each CreateTrainingJob request
    the SDK makes is written to a file named by $IMGCLF_TRAINING_REQUEST while the job runs."""
    from sagemaker.local.local_session import LocalSagemakerClient

    original = LocalSagemakerClient.create_training_job
    folder = os.path.join(work, "requests")
    os.makedirs(folder, exist_ok=True)

    def create_training_job(self, TrainingJobName, AlgorithmSpecification, OutputDataConfig,
                            ResourceConfig, InputDataConfig=None, Environment=None, **kwargs):
        path = os.path.join(folder, TrainingJobName + ".json")
        with open(path, "w") as f:
            json.dump({"TrainingJobName": TrainingJobName, "AlgorithmSpecification": AlgorithmSpecification,
                       "InputDataConfig": InputDataConfig or [], "HyperParameters": kwargs.get("HyperParameters", {})},
                      f, indent=1, default=str)
        os.environ["IMGCLF_TRAINING_REQUEST"] = path
        try:
            return original(self, TrainingJobName, AlgorithmSpecification, OutputDataConfig, ResourceConfig,
                            InputDataConfig=InputDataConfig, Environment=Environment, **kwargs)
        finally:
            os.environ.pop("IMGCLF_TRAINING_REQUEST", None)

    LocalSagemakerClient.create_training_job = create_training_job


def choose_backend(requested, image):
    if requested != "auto":
        return requested, f"asked for {requested}"
    if shutil.which("podman") is None:
        return "binary", "podman is not installed"
    exists = subprocess.run(["podman", "image", "exists", image], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode == 0
    if not exists:
        return "binary", f"podman has no image {image} (scripts/build-image makes it)"
    return "image", f"podman has {image}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_session(work, port):
    from sagemaker.local import LocalSession

    session = LocalSession()
    # The notebooks' one change: local mode. container_root and serving_port keep the test's
    # folders in its work folder and its endpoint off a port something else may hold.
    session.config = {"local": {"local_code": True,
                                "container_root": os.path.join(work, "containers"),
                                "serving_port": port}}
    os.makedirs(os.path.join(work, "containers"), exist_ok=True)
    return session


class Tee(io.TextIOBase):
    """Local mode streams the container's output to sys.stdout; keep it for the checks."""

    def __init__(self, log_file, echo):
        self.log_file, self.echo, self.text = log_file, echo, []

    def write(self, s):
        self.text.append(s)
        self.log_file.write(s)
        self.log_file.flush()
        if self.echo:
            sys.__stdout__.write(s)
        return len(s)

    def flush(self):
        self.log_file.flush()

    def value(self):
        return "".join(self.text)


# ---------------------------------------------------------------- data


def run(argv, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise Failure(f"{' '.join(argv)} exited {p.returncode}:\n{p.stdout}")
    return p.stdout


def subset(split, per_class, dest):
    """The first `per_class` digits of each class, in class sub-folders."""
    files = []
    for digit in range(NUM_CLASSES):
        src = os.path.join(MNIST, split, str(digit))
        os.makedirs(os.path.join(dest, str(digit)), exist_ok=True)
        for name in sorted(os.listdir(src))[:per_class]:
            shutil.copy(os.path.join(src, name), os.path.join(dest, str(digit), name))
            files.append((digit, os.path.join(dest, str(digit), name)))
    return files


class Data:
    def __init__(self, work, imgclf):
        d = os.path.join(work, "data")
        self.root = d
        self.train_images = os.path.join(d, "images", "train")
        self.validation_images = os.path.join(d, "images", "validation")
        self.train = subset("train", TRAIN_PER_CLASS, self.train_images)
        self.validation = subset("validation", VALIDATION_PER_CLASS, self.validation_images)
        self.num_training_samples = len(self.train)

        # .lst and .rec with our im2rec (MXNet's tools/im2rec.py, the notebooks' tool).
        lists = os.path.join(d, "lists")
        os.makedirs(lists)
        self.channel = {}
        for split, images in (("train", self.train_images), ("validation", self.validation_images)):
            prefix = os.path.join(lists, split)
            run([imgclf, "im2rec", prefix, images, "--list", "--recursive"])
            run([imgclf, "im2rec", prefix, images, "--recursive"])
            rec_dir = os.path.join(d, "rec", split)
            lst_dir = os.path.join(d, "lst", split)
            os.makedirs(rec_dir)
            os.makedirs(lst_dir)
            shutil.move(prefix + ".rec", os.path.join(rec_dir, split + ".rec"))
            shutil.move(prefix + ".idx", os.path.join(rec_dir, split + ".idx"))
            shutil.copy(prefix + ".lst", os.path.join(lst_dir, split + ".lst"))
            self.channel[f"rec_{split}"] = rec_dir
            self.channel[f"lst_{split}"] = lst_dir

        # Batch transform input: one validation digit per class, flat, as the notebook's
        # test images sit under one S3 prefix.
        self.batch = os.path.join(d, "batch-input")
        os.makedirs(self.batch)
        self.batch_labels = {}
        for digit, path in self.validation[::VALIDATION_PER_CLASS]:
            name = f"digit{digit}-{os.path.basename(path)}"
            shutil.copy(path, os.path.join(self.batch, name))
            self.batch_labels[name] = digit

        # Augmented manifests (JSON Lines: source-ref, class), images beside them.
        self.manifest = {}
        for split, files in (("train", self.train), ("validation", self.validation)):
            folder = os.path.join(d, "manifest", split)
            os.makedirs(os.path.join(folder, "images"))
            order = list(files)
            random.Random(7).shuffle(order)  # a labelling job's manifest is in no class order
            lines = []
            for i, (digit, path) in enumerate(order):
                name = f"images/{i:04d}.png"
                shutil.copy(path, os.path.join(folder, name))
                lines.append(json.dumps({"source-ref": name, "class": str(digit),
                                         "class-metadata": {"class-name": f"digit {digit}"}}))
            with open(os.path.join(folder, f"{split}.manifest"), "w") as f:
                f.write("\n".join(lines) + "\n")
            self.manifest[split] = os.path.join(folder, f"{split}.manifest")

        # Multi-label: two labels per digit, "odd" and "greater than 4", multi-hot; a few
        # positives written as 2 (a count), which the algorithm takes as positive.
        self.multilabel = {}
        for split, files in (("train", self.train), ("validation", self.validation)):
            folder = os.path.join(d, "multilabel", split + "_lst")
            os.makedirs(folder)
            rows = []
            for i, (digit, path) in enumerate(files):
                odd, big = digit % 2, int(digit > 4)
                if split == "train" and i % 10 == 3 and odd:
                    odd = 2
                rows.append(f"{i}\t{odd}\t{big}\t{os.path.relpath(path, os.path.dirname(self.train_images) + '/' + split)}")
            with open(os.path.join(folder, split + ".lst"), "w") as f:
                f.write("\n".join(rows) + "\n")
            self.multilabel[split + "_lst"] = folder


def file_uri(path):
    return "file://" + os.path.abspath(path)


# ---------------------------------------------------------------- the flows


class Context:
    def __init__(self, args, work, session, data, image, log_dir):
        self.args, self.work, self.session, self.data = args, work, session, data
        self.image, self.log_dir = image, log_dir
        self.role = "arn:aws:iam::111122223333:role/local-mode-test"  # never used in local mode
        self.models = {}
        self.accuracies = {}

    def estimator(self, name, input_mode="File", **hyperparameters):
        import sagemaker

        output = os.path.join(self.work, "output", name)
        os.makedirs(output, exist_ok=True)
        est = sagemaker.estimator.Estimator(
            self.image,
            self.role,
            instance_count=1,
            instance_type="local",
            volume_size=50,
            max_run=360000,
            input_mode=input_mode,
            output_path=file_uri(output),
            sagemaker_session=self.session,
        )
        hp = dict(num_layers=20, image_shape=IMAGE_SHAPE, num_classes=NUM_CLASSES,
                  num_training_samples=self.data.num_training_samples, mini_batch_size=16,
                  epochs=EPOCHS, learning_rate=0.05, top_k=2, precision_dtype="float32")
        hp.update(hyperparameters)
        est.set_hyperparameters(**{k: v for k, v in hp.items() if v is not None})
        return est

    def fit(self, name, est, inputs, request_file=None):
        """est.fit(inputs) with the container's output kept; returns the log text."""
        log_path = os.path.join(self.log_dir, f"{name}.log")
        with open(log_path, "a") as log_file:
            tee = Tee(log_file, self.args.verbose)
            with contextlib.redirect_stdout(tee):
                started = time.time()
                try:
                    est.fit(inputs=inputs, logs=True)
                except RuntimeError as e:
                    raise Failure(f"{e}\n    the job's output ends:\n      " + "\n      ".join(self.job_output_since(started)[-15:]))
        text = tee.value()
        model_data = est.model_data
        check(model_data and model_data.startswith("file://"), f"model_data is {model_data!r}")
        path = model_data[len("file://"):]
        check(os.path.isfile(path), f"no model artifact at {path}")
        import tarfile

        with tarfile.open(path) as tar:
            names = tar.getnames()
        check(any(n.endswith("-symbol.json") for n in names) and any(n.endswith(".params") for n in names),
              f"{path} holds {names}")
        accuracies = [float(a) for a in re.findall(r"Validation-accuracy=([0-9.]+)", text)]
        check(accuracies, f"no Validation-accuracy in the log ({log_path})")
        self.accuracies[name] = accuracies[-1]
        return text


    def job_output_since(self, started):
        """The last job's output as the compose stand-in kept it (<container root>/<host>.log)."""
        logs = []
        for folder, _, files in os.walk(os.path.join(self.work, "containers")):
            logs += [os.path.join(folder, f) for f in files if f.endswith(".log")]
        logs = [p for p in logs if os.path.getmtime(p) >= started]
        if not logs:
            return ["(no output kept)"]
        with open(max(logs, key=os.path.getmtime), errors="replace") as f:
            return f.read().splitlines()


def flow_rec_endpoint(ctx):
    """imageclassification_caltech (full training): .rec channels, deploy, predict."""
    from sagemaker.inputs import TrainingInput
    from sagemaker.serializers import IdentitySerializer

    est = ctx.estimator("rec-endpoint")
    train = TrainingInput(file_uri(ctx.data.channel["rec_train"]), distribution="FullyReplicated",
                          content_type="application/x-recordio", s3_data_type="S3Prefix")
    validation = TrainingInput(file_uri(ctx.data.channel["rec_validation"]), distribution="FullyReplicated",
                               content_type="application/x-recordio", s3_data_type="S3Prefix")
    ctx.fit("rec-endpoint", est, {"train": train, "validation": validation})
    check(ctx.accuracies["rec-endpoint"] > MIN_ACCURACY,
          f"validation accuracy {ctx.accuracies['rec-endpoint']} is not above {MIN_ACCURACY}")
    ctx.models["rec-endpoint"] = est.model_data

    predictor = est.deploy(initial_instance_count=1, instance_type="local",
                           serializer=IdentitySerializer(content_type="application/x-image"))
    try:
        correct = 0
        for digit in range(NUM_CLASSES):
            with open(ctx.data.validation[digit * VALIDATION_PER_CLASS][1], "rb") as f:
                payload = f.read()
            result = json.loads(predictor.predict(payload))
            check(isinstance(result, list) and len(result) == NUM_CLASSES,
                  f"predict gave {result!r}; expected {NUM_CLASSES} probabilities")
            check(abs(sum(result) - 1) < 1e-3, f"probabilities sum to {sum(result)}")
            correct += max(range(NUM_CLASSES), key=lambda i: result[i]) == digit
        ctx.endpoint_hits = correct
    finally:
        predictor.delete_endpoint()
    return f"accuracy {ctx.accuracies['rec-endpoint']:.3f}, endpoint top-1 {correct}/{NUM_CLASSES}"


def flow_lst_transform(ctx):
    """imageclassification_lst_format: image + .lst channels, then batch transform."""
    from sagemaker.inputs import TrainingInput

    est = ctx.estimator("lst-transform")
    inputs = {}
    for channel, path in (("train", ctx.data.train_images), ("validation", ctx.data.validation_images),
                          ("train_lst", ctx.data.channel["lst_train"]),
                          ("validation_lst", ctx.data.channel["lst_validation"])):
        inputs[channel] = TrainingInput(file_uri(path), distribution="FullyReplicated",
                                        content_type="application/x-image", s3_data_type="S3Prefix")
    ctx.fit("lst-transform", est, inputs)
    check(ctx.accuracies["lst-transform"] > MIN_ACCURACY,
          f"validation accuracy {ctx.accuracies['lst-transform']} is not above {MIN_ACCURACY}")

    output = os.path.join(ctx.work, "transform-output")
    os.makedirs(output, exist_ok=True)
    transformer = est.transformer(instance_count=1, instance_type="local", output_path=file_uri(output),
                                  strategy=ctx.args.transform_strategy)
    # Local mode runs the job inside transform(); wait's logs would be read from CloudWatch.
    transformer.transform(file_uri(ctx.data.batch), data_type="S3Prefix",
                          content_type="application/x-image", split_type=None, wait=False)
    transformer.wait(logs=False)
    correct = 0
    for name, digit in sorted(ctx.data.batch_labels.items()):
        out = os.path.join(output, name + ".out")
        check(os.path.isfile(out), f"no {name}.out in {output}: {sorted(os.listdir(output))}")
        with open(out) as f:
            prediction = json.load(f)["prediction"]
        check(len(prediction) == NUM_CLASSES and abs(sum(prediction) - 1) < 1e-3, f"{out}: {prediction}")
        correct += max(range(NUM_CLASSES), key=lambda i: prediction[i]) == digit
    outs = [n for n in os.listdir(output) if n.endswith(".out")]
    check(len(outs) == len(ctx.data.batch_labels), f"{len(outs)} .out files for {len(ctx.data.batch_labels)} images")
    return (f"accuracy {ctx.accuracies['lst-transform']:.3f}, transform {len(outs)} .out files, "
            f"top-1 {correct}/{len(outs)}")


def flow_incremental(ctx):
    """imageclassification_incremental: a model channel holding the first job's model."""
    from sagemaker.inputs import TrainingInput

    first = ctx.models.get("rec-endpoint")
    check(first is not None, "the rec-endpoint flow made no model to start from")
    est = ctx.estimator("incremental")
    inputs = {
        "train": TrainingInput(file_uri(ctx.data.channel["rec_train"]), distribution="FullyReplicated",
                               content_type="application/x-recordio", s3_data_type="S3Prefix"),
        "validation": TrainingInput(file_uri(ctx.data.channel["rec_validation"]), distribution="FullyReplicated",
                                    content_type="application/x-recordio", s3_data_type="S3Prefix"),
        "model": TrainingInput(first, distribution="FullyReplicated",
                               content_type="application/x-sagemaker-model", s3_data_type="S3Prefix"),
    }
    text = ctx.fit("incremental", est, inputs)
    check("Incremental training from" in text, "the log does not say it started from the model channel")
    before, after = ctx.accuracies["rec-endpoint"], ctx.accuracies["incremental"]
    check(after > MIN_ACCURACY, f"validation accuracy {after} is not above {MIN_ACCURACY}")
    return f"accuracy {before:.3f} -> {after:.3f} after {EPOCHS} more epochs"


def flow_pipe_manifest(ctx):
    """imageclassification_augmented_manifest (Pipe mode): AttributeNames source-ref, class."""
    from sagemaker.inputs import TrainingInput

    est = ctx.estimator("pipe-manifest", input_mode="Pipe")
    attribute_names = ["source-ref", "class"]
    inputs = {}
    for split in ("train", "validation"):
        inputs[split] = TrainingInput(file_uri(ctx.data.manifest[split]), distribution="FullyReplicated",
                                      content_type="application/x-recordio", s3_data_type="AugmentedManifestFile",
                                      attribute_names=attribute_names, input_mode="Pipe", record_wrapping="RecordIO")
    text = ctx.fit("pipe-manifest", est, inputs)
    check("Pipe mode" in text, "the compose stand-in did not deliver the channels in Pipe mode")
    check(ctx.accuracies["pipe-manifest"] > MIN_ACCURACY,
          f"validation accuracy {ctx.accuracies['pipe-manifest']} is not above {MIN_ACCURACY}")
    return f"accuracy {ctx.accuracies['pipe-manifest']:.3f}"


def flow_multilabel_lst(ctx):
    """Multi-label (multi_label=1) from multi-hot .lst files, one value 2 among the 0/1s."""
    from sagemaker.inputs import TrainingInput

    est = ctx.estimator("multilabel-lst", num_classes=2, multi_label=1, top_k=None)
    inputs = {}
    for channel, path in (("train", ctx.data.train_images), ("validation", ctx.data.validation_images),
                          ("train_lst", ctx.data.multilabel["train_lst"]),
                          ("validation_lst", ctx.data.multilabel["validation_lst"])):
        inputs[channel] = TrainingInput(file_uri(path), distribution="FullyReplicated",
                                        content_type="application/x-image", s3_data_type="S3Prefix")
    ctx.fit("multilabel-lst", est, inputs)
    # Mean per-label accuracy at 0.5; chance with balanced labels is 0.5.
    check(ctx.accuracies["multilabel-lst"] > 0.5,
          f"validation accuracy {ctx.accuracies['multilabel-lst']} is not above 0.5")
    return f"accuracy {ctx.accuracies['multilabel-lst']:.3f} (per-label, at 0.5)"


FLOWS = [
    ("rec-endpoint", flow_rec_endpoint),
    ("lst-transform", flow_lst_transform),
    ("incremental", flow_incremental),
    ("pipe-manifest", flow_pipe_manifest),
    ("multilabel-lst", flow_multilabel_lst),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imgclf", required=True, help="the imgclf binary (data preparation, and the binary backend)")
    parser.add_argument("--backend", choices=["auto", "image", "binary"], default="auto",
                        help="how the compose stand-in starts a job: podman with the image, or the binary (auto: the image when it exists)")
    parser.add_argument("--image", default=os.environ.get("IMGCLF_IMAGE", "localhost/imgclf:latest"))
    parser.add_argument("--work", help="work folder (default: a new temporary one, removed on success)")
    parser.add_argument("--flows", nargs="*", default=[n for n, _ in FLOWS], help="which flows (default: all)")
    parser.add_argument("--transform-strategy", default="SingleRecord", choices=["none", "SingleRecord", "MultiRecord"],
                        help="the Transformer's strategy (the notebooks give none; local mode then takes the "
                             "container's /execution-parameters BatchStrategy, SINGLE_RECORD, which it refuses: "
                             "see docs/notebooks.md)")
    parser.add_argument("--verbose", action="store_true", help="echo the containers' output")
    args = parser.parse_args()
    args.imgclf = os.path.abspath(args.imgclf)
    unknown = set(args.flows) - {n for n, _ in FLOWS}
    if unknown:
        parser.error(f"unknown flows {sorted(unknown)}")

    work = args.work or tempfile.mkdtemp(prefix="sagemaker-flows-")
    os.makedirs(work, exist_ok=True)
    log_dir = os.path.join(work, "logs")
    os.makedirs(log_dir, exist_ok=True)
    args.backend, why = choose_backend(args.backend, args.image)
    setup_environment(args, work)
    import logging

    import sagemaker

    if not args.verbose:
        for name in ("sagemaker", "sagemaker.config"):
            logging.getLogger(name).setLevel(logging.WARNING)
    record_training_requests(work)
    if args.transform_strategy == "none":
        args.transform_strategy = None

    print(f"sagemaker {sagemaker.__version__}; jobs run through the {args.backend} "
          f"({why}); work folder {work}", flush=True)

    t0 = time.time()
    data = Data(work, args.imgclf)
    print(f"data: {data.num_training_samples} training and {len(data.validation)} validation digits, "
          f".rec/.lst by imgclf im2rec, manifests ({time.time() - t0:.1f} s)", flush=True)
    ctx = Context(args, work, local_session(work, free_port()), data, args.image, log_dir)

    results = []
    for name, flow in FLOWS:
        if name not in args.flows:
            continue
        start = time.time()
        try:
            detail = flow(ctx)
            results.append((name, True, time.time() - start, detail))
        except Exception as e:  # a flow's failure is reported and the others still run
            detail = f"{type(e).__name__}: {e}"
            if not isinstance(e, Failure):
                detail += "\n" + traceback.format_exc()
            log_path = os.path.join(log_dir, f"{name}.log")
            if os.path.exists(log_path):
                with open(log_path) as f:
                    tail = f.read().splitlines()[-25:]
                detail += "\n    last lines of " + log_path + ":\n      " + "\n      ".join(tail)
            results.append((name, False, time.time() - start, detail))
        ok, seconds, detail = results[-1][1:]
        print(f"{'PASS' if ok else 'FAIL'} {name} ({seconds:.1f} s): {detail}", flush=True)

    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    if failed == 0 and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    elif failed:
        print(f"logs and job folders kept in {work}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
