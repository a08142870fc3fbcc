# The algorithm's container: `docker run IMAGE train` and `docker run IMAGE serve` act on
# /opt/ml as the managed service lays it out (see docs/container.md).
#
#   docker build -t imgclf .        (or: podman build -t imgclf .)
#
# Stage 1 builds with the Swift toolchain on Debian 12; stage 2 holds the binary and the
# runtime libraries only (oneDNN, libjpeg-turbo, libpng, libarchive, Open MPI, ssh). The Swift
# standard library and Foundation are linked statically, so no toolchain is needed at run time.
ARG BUILDER_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:12-slim

FROM ${BUILDER_IMAGE} AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libdnnl-dev libturbojpeg0-dev libpng-dev libarchive-dev pkg-config libopenmpi-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# Package.swift declares the test targets (and their support target TestFixtures, in
# Tests/Fixtures), and SwiftPM wants their folders even to build the tool alone; .dockerignore
# leaves Tests/ out of the context, so each gets a stand-in folder (one empty source file,
# never built: only the imgclf product is).
RUN { sed -n 's/.*\.testTarget(name: "\([^"]*\)".*/\1/p' Package.swift; echo Fixtures; } | while read -r t; do \
      mkdir -p "Tests/$t/Resources" && : > "Tests/$t/Placeholder.swift"; done
RUN swift build -c release --product imgclf --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/imgclf" /out/imgclf

FROM ${RUNTIME_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libdnnl2 libturbojpeg0 libpng16-16 libarchive13 libopenmpi3 openmpi-bin openssh-client openssh-server ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Several hosts: the leader's mpirun starts the others' workers over ssh, and `imgclf launch`
# starts sshd on those hosts. Every host runs this image, so one key made here lets them in
# to each other (as the service's own MPI images do); anyone holding the image holds the key,
# so mount your own over /root/.ssh where that matters (docs/distributed.md).
RUN mkdir -p /run/sshd /root/.ssh && chmod 700 /root/.ssh \
 && ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519 \
 && cp /root/.ssh/id_ed25519.pub /root/.ssh/authorized_keys \
 && printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n' >> /etc/ssh/ssh_config \
 && printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\n' >> /etc/ssh/sshd_config
COPY --from=build /out/imgclf /usr/local/bin/imgclf
# The service mounts /opt/ml; serving listens on 8080 (or SAGEMAKER_BIND_TO_PORT).
RUN mkdir -p /opt/ml/model /opt/ml/input /opt/ml/output /opt/ml/checkpoints
ENV OMPI_MCA_plm_rsh_agent=ssh
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/imgclf"]
