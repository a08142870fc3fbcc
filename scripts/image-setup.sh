#!/bin/sh
# The runtime image's setup, in one place for both ways of building it: the Dockerfile's
# runtime stage runs it (COPY + RUN), and scripts/build-image runs it in a chroot of a
# debootstrapped Debian 12. It runs as root inside the image's root filesystem, with apt's
# sources configured. (The image's ENV, EXPOSE and ENTRYPOINT are the Dockerfile's lines after
# its last FROM; scripts/build-image reads them from there.)
set -eu

# The runtime libraries of imgclf (oneDNN, libjpeg-turbo, libpng, libarchive, Open MPI) and
# ssh for multi-host jobs.
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  libdnnl2 libturbojpeg0 libpng16-16 libarchive13 libopenmpi3 openmpi-bin openssh-client openssh-server ca-certificates
rm -rf /var/lib/apt/lists/*

# Several hosts: the leader's mpirun starts the others' workers over ssh, and `imgclf launch`
# starts sshd on those hosts. Every host runs this image, so one key made here lets them in
# to each other (as the service's own MPI images do); anyone holding the image holds the key,
# so mount your own over /root/.ssh where that matters (docs/distributed.md).
mkdir -p /run/sshd /root/.ssh
chmod 700 /root/.ssh
ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519
cp /root/.ssh/id_ed25519.pub /root/.ssh/authorized_keys
printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n' >> /etc/ssh/ssh_config
printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\n' >> /etc/ssh/sshd_config

# The service mounts /opt/ml. Pretrained weights (use_pretrained_model=1) are mounted at
# /opt/imgclf/pretrained, outside /opt/ml, which the service owns (IMGCLF_PRETRAINED_DIR).
mkdir -p /opt/ml/model /opt/ml/input /opt/ml/output /opt/ml/checkpoints /opt/imgclf/pretrained
