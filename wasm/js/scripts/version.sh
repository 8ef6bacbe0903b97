#!/bin/sh
# version.sh: the build version of the git tree in the current directory,
# which make gives the module (-X main.moduleVersion, what consent_info
# reports as "module") and the npm package (package.json's "version").
# Always a valid npm (semver) version:
#
#   X.Y.Z[-pre]              HEAD is tagged vX.Y.Z[-pre] and the tree is clean: a release
#   0.0.0-g<commit>          any other commit (<commit>: 12 hex digits; the "g", as in
#                            git describe, keeps an all-digit abbreviation valid semver)
#   0.0.0-g<commit>.dirty    the same with uncommitted changes to tracked files
#   0.0.0-dev                not in a git checkout (a source archive)
#
# 0.0.0- sorts below every release, so no registry or resolver takes a
# development build for one.
set -u
commit=$(git describe --always --abbrev=12 --dirty=.dirty --exclude='*' 2>/dev/null) || {
	echo 0.0.0-dev
	exit 0
}
case $commit in
*.dirty) ;;
*)
	semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?$'
	for tag in $(git tag --points-at HEAD 'v[0-9]*' 2>/dev/null); do
		if printf '%s\n' "$tag" | grep -Eq "$semver"; then
			printf '%s\n' "${tag#v}"
			exit 0
		fi
	done
	;;
esac
echo "0.0.0-g$commit"
