#!/bin/sh
# Helm 4 runs this for `--post-renderer switchyard`. It execs (so Helm stays our parent
# process) the first switchyard-postrender it finds: beside this file (release archive),
# in a repository checkout's dist/ (helm plugin install ./plugins/switchyard), or on PATH.
dir=$(cd "$(dirname "$0")" && pwd -P)
for candidate in "$dir/switchyard-postrender" "$dir/../../dist/switchyard-postrender"; do
  if [ -x "$candidate" ]; then exec "$candidate" "$@"; fi
done
if command -v switchyard-postrender >/dev/null 2>&1; then exec switchyard-postrender "$@"; fi
echo "switchyard: switchyard-postrender not found beside the plugin or on PATH" >&2
exit 127
