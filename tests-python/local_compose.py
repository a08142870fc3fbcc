#!/usr/bin/env python3
"""The container runtime under the SageMaker Python SDK's local mode, for the notebook flows.

The SDK's local mode (sagemaker/local/image.py) writes a job folder and a
docker-compose.yaml, then runs `docker compose -f FILE up --build --abort-on-container-exit`
and reads the container's output and exit code; for serving it keeps that command running
and sends HTTP requests to localhost. This program answers those `docker` and
`docker compose` calls (tests-python/sagemaker_flows.py puts a `docker` wrapper first on
PATH) and starts each service of the compose file one of two ways:

  image   `podman run` of the service's image with its volumes, environment and command
          (host networking: podman here has no CNI bridge; the port the SDK maps is given to
          the server as SAGEMAKER_BIND_TO_PORT)
  binary  the imgclf binary ($IMGCLF_BIN) with IMGCLF_JOB_DIR set to a folder laid out as the
          container's /opt/ml: every volume of the service is a symbolic link there

($IMGCLF_COMPOSE_BACKEND picks one.) Nothing the SDK wrote is changed, with one exception:
local mode has no Pipe mode (it writes every channel as File mode and mounts the channel's
folder). When $IMGCLF_TRAINING_REQUEST names the CreateTrainingJob request the SDK made, a
channel whose InputMode is Pipe is delivered as the service delivers it: its
inputdataconfig.json entry says Pipe (with RecordWrapperType and the S3 data type), and the
channel becomes one FIFO per epoch, `<channel>_<epoch>`, fed with RecordIO records: for an
augmented manifest with RecordWrapperType RecordIO, each line's attributes in AttributeNames
order (a `-ref` attribute as the bytes of the file it names, others as their JSON text).
"""
import json
import os
import shlex
import signal
import struct
import subprocess
import sys
import threading

RECORDIO_MAGIC = 0xCED7230A


def log(message):
    print(f"[local_compose] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the `docker` command


def docker_main(argv):
    if not argv:
        log("usage: docker compose ...")
        return 2
    command = argv[0]
    if command == "compose":
        return compose_main(argv[1:])
    if command == "info":
        # get_docker_host() asks on every request; failing makes it go on to
        # `docker context inspect` without a warning each time.
        log("no docker engine: imgclf's local compose stand-in")
        return 1
    if command == "context":
        # An error on stderr makes the SDK use localhost.
        log("no docker context: the stand-in serves on localhost")
        return 1
    if command == "images":
        return 0
    if command in ("pull", "login", "network"):
        return 0
    log(f"docker {' '.join(argv)}: not supported by the stand-in")
    return 2


def compose_main(argv):
    if argv[:1] in (["version"], ["--version"]):
        print("Docker Compose version v2.99.0 (imgclf local compose stand-in)")
        return 0
    file = None
    rest = []
    i = 0
    while i < len(argv):
        if argv[i] == "-f":
            file = argv[i + 1]
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    if not rest or rest[0] not in ("up", "down"):
        log(f"compose {' '.join(argv)}: only 'up' and 'down' are supported")
        return 2
    if rest[0] == "down":
        return 0
    if file is None:
        log("compose up needs -f FILE")
        return 2
    return up(file, detached="--detach" in rest)


# ---------------------------------------------------------------- compose files


def load_compose(path):
    """The SDK writes its compose file with yaml.dump; PyYAML is in its venv."""
    import yaml

    with open(path) as f:
        return yaml.safe_load(f)


def parse_volume(spec):
    host, container = spec.rsplit(":", 1) if not spec.endswith(":z") else spec[:-2].rsplit(":", 1)
    return host, container


def environment_of(service):
    env = {}
    for item in service.get("environment", []) or []:
        key, _, value = item.partition("=")
        env[key] = value
    return env


def host_port_of(service):
    for mapping in service.get("ports", []) or []:
        host, _, container = str(mapping).partition(":")
        if container == "8080":
            return int(host)
    return None


def up(compose_path, detached):
    compose = load_compose(compose_path)
    services = compose.get("services", {})
    if len(services) != 1:
        log(f"{len(services)} services in {compose_path}: the stand-in runs one host")
        return 2
    (host, service), = services.items()
    command = service.get("command")
    if command not in ("train", "serve"):
        log(f"service {host}: command {command!r}; the stand-in runs train and serve")
        return 2
    volumes = [parse_volume(v) for v in service.get("volumes", [])]
    env = environment_of(service)
    port = host_port_of(service)
    root = os.path.dirname(os.path.abspath(compose_path))

    feeders = []
    if command == "train":
        volumes, feeders = deliver_pipe_channels(root, host, volumes, env)

    for h, _ in volumes:
        os.makedirs(h, exist_ok=True)  # docker creates a missing host folder of a bind mount; podman does not
    volumes.sort(key=lambda v: v[1].count("/"))
    backend = os.environ.get("IMGCLF_COMPOSE_BACKEND", "binary")
    if backend == "image":
        argv, child_env = podman_command(service, host, volumes, env, port, command)
    else:
        argv, child_env = binary_command(root, host, volumes, env, port, command)
    log(f"{host}: {command} via {backend}: {' '.join(shlex.quote(a) for a in argv)}")
    # The SDK stops reading the output once the process has exited, so the last lines (an
    # error's details) may never reach it: all of it also goes to <container root>/<host>.log.
    return run_child(argv, child_env, feeders, os.path.join(root, f"{host}.log"))


def podman_command(service, host, volumes, env, port, command):
    argv = ["podman", "run", "--rm", "--name", service.get("container_name", host),
            "--hostname", host, "--network", "host"]
    for h, c in volumes:
        argv += ["-v", f"{h}:{c}"]
    env = dict(env)
    if command == "serve" and port is not None and port != 8080:
        env["SAGEMAKER_BIND_TO_PORT"] = str(port)
    for k, v in env.items():
        argv += ["-e", f"{k}={v}"]
    argv += [service["image"], command]
    return argv, dict(os.environ)


def binary_command(root, host, volumes, env, port, command):
    """Lays the service's volumes out as /opt/ml under a folder of symbolic links."""
    job = os.path.join(root, f"{host}-opt-ml")
    os.makedirs(job, exist_ok=True)
    # Shallow mounts first, so a deeper one (a channel inside /opt/ml/input) lands inside it.
    for h, c in sorted(volumes, key=lambda v: v[1].count("/")):
        if not c.startswith("/opt/ml/"):
            log(f"volume {h}:{c} is outside /opt/ml; the binary does not see it")
            continue
        parent = os.path.realpath(os.path.join(job, os.path.dirname(c[len("/opt/ml/"):])))
        os.makedirs(parent, exist_ok=True)
        target = os.path.join(parent, os.path.basename(c))
        if os.path.realpath(target) == os.path.realpath(h):
            continue  # already there through a shallower mount (output/data inside output)
        if os.path.islink(target):
            os.unlink(target)
        elif os.path.isdir(target):
            if os.listdir(target):
                raise SystemExit(f"volume {h}:{c} covers a non-empty folder {target}")
            os.rmdir(target)
        os.symlink(h, target)
    binary = os.environ.get("IMGCLF_BIN")
    if not binary:
        raise SystemExit("IMGCLF_BIN is not set: the binary backend needs the imgclf binary")
    child_env = dict(os.environ)
    child_env.update(env)
    child_env["IMGCLF_JOB_DIR"] = job
    if command == "serve" and port is not None:
        child_env["SAGEMAKER_BIND_TO_PORT"] = str(port)
    return [binary, command], child_env


def run_child(argv, env, feeders, log_path):
    # A container's stderr reaches compose's output, as stdout does.
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    out = sys.stdout.buffer
    with open(log_path, "ab") as log_file:
        for line in iter(child.stdout.readline, b""):
            log_file.write(line)
            log_file.flush()
            try:
                out.write(line)
                out.flush()
            except (BrokenPipeError, OSError):
                pass  # the SDK stopped reading; keep draining into the log
    code = child.wait()
    for f in feeders:
        f.stop()
    # A feeder blocked opening a FIFO nobody reads would keep the process alive.
    os._exit(code if code >= 0 else 128 - code)


# ---------------------------------------------------------------- Pipe mode, as the service delivers it


def recordio_frame(payload):
    """One RecordIO record: magic, length (upper 3 bits: continuation flag 0), payload, padding."""
    n = len(payload)
    return struct.pack("<II", RECORDIO_MAGIC, n) + payload + b"\0" * ((4 - n % 4) % 4)


def manifest_records(manifest_path, attribute_names):
    base = os.path.dirname(manifest_path)
    records = []
    with open(manifest_path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            entry = json.loads(line)
            for name in attribute_names:
                if name not in entry:
                    raise SystemExit(f"{manifest_path} line {number}: no attribute '{name}'")
                value = entry[name]
                if name.endswith("-ref"):
                    path = value[len("file://"):] if value.startswith("file://") else value
                    path = path if os.path.isabs(path) else os.path.join(base, path)
                    with open(path, "rb") as image:
                        records.append(image.read())
                else:
                    text = value if isinstance(value, str) else json.dumps(value)
                    records.append(text.encode())
    return records


class Feeder:
    """Writes one channel's records into `<channel>_<epoch>` FIFOs, one epoch after another."""

    def __init__(self, prefix, epochs, payload):
        self.paths = [f"{prefix}_{e}" for e in range(epochs)]
        for p in self.paths:
            os.mkfifo(p, 0o600)
        self.payload = payload
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        for p in self.paths:
            try:
                with open(p, "wb") as f:  # blocks until the algorithm opens the epoch's pipe
                    f.write(self.payload)
            except (BrokenPipeError, OSError):
                return

    def stop(self):
        pass


def deliver_pipe_channels(root, host, volumes, env):
    request_path = os.environ.get("IMGCLF_TRAINING_REQUEST")
    if not request_path or not os.path.exists(request_path):
        return volumes, []
    with open(request_path) as f:
        request = json.load(f)
    job_input = os.path.join(root, host, "input")
    config_path = os.path.join(job_input, "config", "inputdataconfig.json")
    with open(config_path) as f:
        config = json.load(f)
    with open(os.path.join(job_input, "config", "hyperparameters.json")) as f:
        hyperparameters = json.load(f)
    epochs = int(str(hyperparameters.get("epochs", "30")).strip('"'))

    feeders = []
    for channel in request.get("InputDataConfig", []):
        name = channel["ChannelName"]
        mode = channel.get("InputMode") or request.get("AlgorithmSpecification", {}).get("TrainingInputMode", "File")
        if mode != "Pipe":
            continue
        source = channel["DataSource"].get("S3DataSource") or channel["DataSource"].get("FileDataSource") or {}
        uri = source.get("S3Uri") or source.get("FileUri") or ""
        path = uri[len("file://"):] if uri.startswith("file://") else uri
        data_type = source.get("S3DataType", "S3Prefix")
        wrapper = channel.get("RecordWrapperType", "None")
        if data_type == "AugmentedManifestFile":
            if wrapper != "RecordIO":
                raise SystemExit(f"channel {name}: an augmented manifest in Pipe mode needs RecordWrapperType RecordIO")
            records = manifest_records(path, source.get("AttributeNames") or [])
            payload = b"".join(recordio_frame(r) for r in records)
        else:
            # S3Prefix: the objects under the prefix, one after another (already RecordIO).
            files = [path] if os.path.isfile(path) else sorted(
                os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)
            payload = b"".join(open(p, "rb").read() for p in files)
            records = None
        entry = config.setdefault(name, {})
        entry["TrainingInputMode"] = "Pipe"
        entry["S3DistributionType"] = source.get("S3DataDistributionType", "FullyReplicated")
        entry["RecordWrapperType"] = wrapper
        if data_type != "S3Prefix":
            entry["S3DataType"] = data_type
        if "ContentType" in channel:
            entry["ContentType"] = channel["ContentType"]
        # The channel's folder is not mounted; its pipes are in /opt/ml/input/data instead.
        volumes = [(h, c) for h, c in volumes if c != f"/opt/ml/input/data/{name}"]
        channel_dir = os.path.join(job_input, "data", name)
        if os.path.isdir(channel_dir) and not os.listdir(channel_dir):
            os.rmdir(channel_dir)
        feeders.append(Feeder(os.path.join(job_input, "data", name), epochs, payload))
        count = f"{len(records) // max(1, len(source.get('AttributeNames') or [1]))} samples, " if records is not None else ""
        log(f"channel {name}: Pipe mode, {count}{len(payload)} bytes per epoch into {epochs} FIFOs {name}_0..{name}_{epochs - 1}")
    with open(config_path, "w") as f:
        json.dump(config, f)
    return volumes, feeders


if __name__ == "__main__":
    sys.exit(docker_main(sys.argv[1:]))
