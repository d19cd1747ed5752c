#!/bin/sh
# Install the Debian packages sandbench needs to build, test and run, when
# some are missing.  As root: apt-get installs them.  Otherwise: print the
# exact command and stop.  --image-packages: print the image's Python
# packages and stop.
set -eu

# The workloads' Python packages, which the container image carries too:
# the one list.  `deps.sh --image-packages` prints it, one a line, for
# containers/Containerfile; ctr_image_packages[] in containers/image.c must
# say the same (tests/test_containers.c compares them both ways).
image_packages="python3-sympy python3-django python3-mako python3-genshi python3-chameleon
python3-sqlalchemy python3-tornado python3-dulwich python3-pyaes python3-lib2to3"
if [ "${1:-}" = "--image-packages" ]; then
	printf '%s\n' $image_packages
	exit 0
fi

packages="gcc make pkg-config libc6-dev zlib1g-dev
libpython3.11-dev libxml2-dev libpcre2-dev libsqlite3-dev libjansson-dev
libcriterion-dev
$image_packages"

# The tests also run real container runtimes and tools.
[ "${1:-}" = "--test" ] && packages="$packages strace iproute2 runc crun runsc podman containerd librsvg2-bin"
[ "${1:-}" = "--fuzz" ] && packages="$packages clang libclang-rt-14-dev"
# tests/k8s/validate.js needs node, and npm to install its package
# (NodeSource's nodejs carries npm; Debian's nodejs does not).
if [ "${1:-}" = "--test" ]; then
	packages="$packages nodejs"
	command -v npm >/dev/null 2>&1 || packages="$packages npm"
fi

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "sandbench: these Debian packages are missing:$missing" >&2
	echo "install them as root, then run make again:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "sandbench: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
