# The algorithm's container: `docker run IMAGE train` and `docker run IMAGE serve` act on
# /opt/ml as the managed service lays it out (see docs/container.md).
#
#   docker build -t imgclf .        (or: podman build -t imgclf .)
#
# Stage 1 builds with the Swift toolchain on Debian 12; stage 2 holds the binary and the
# runtime libraries only (oneDNN, libjpeg-turbo, libpng, libarchive, Open MPI, ssh). The Swift
# standard library and Foundation are linked statically, so no toolchain is needed at run time.
# Without a registry, scripts/build-image makes the same runtime image from Debian's mirror
# and a binary built on the host (docs/container.md).
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
 && install -D -s "$(swift build -c release --show-bin-path)/imgclf" /out/imgclf

FROM ${RUNTIME_IMAGE}
# The runtime packages, the ssh key and config for multi-host jobs, and the folders: one
# script that scripts/build-image runs too (in a chroot, without a registry), so both give
# the same image.
COPY scripts/image-setup.sh /tmp/image-setup.sh
RUN sh /tmp/image-setup.sh && rm /tmp/image-setup.sh
COPY --from=build /out/imgclf /usr/local/bin/imgclf
# scripts/build-image gives its image these lines (ENV, EXPOSE, ENTRYPOINT after this
# stage's FROM, one line each) with `podman import --change`.
# The service mounts /opt/ml; serving listens on 8080 (or SAGEMAKER_BIND_TO_PORT); pretrained
# weights for use_pretrained_model=1 are mounted at /opt/imgclf/pretrained (docs/container.md).
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV OMPI_MCA_plm_rsh_agent=ssh
ENV IMGCLF_PRETRAINED_DIR=/opt/imgclf/pretrained
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/imgclf"]
