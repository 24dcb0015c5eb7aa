# layout.sh - the library's layers stay true (issue 15): scripts/check-layers
# passes on the tree and fails, naming the file and line, on each kind of
# violation planted in a copy of it.

# modes t_layers_check: root
# (reads source files only; the user mode would run the same thing again)

# plant FILE LINE: add LINE after the first #include of a copy's FILE
plant() {
	sed -i "0,/^#include \"/s||$2\n#include \"|" "$T/tree/$1"
}

# fresh copy of the source tree the checker reads
fresh() {
	rm -rf "$T/tree"
	mkdir -p "$T/tree/scripts"
	cp -r "$TOP/lib" "$TOP/cli" "$TOP/helper" "$T/tree/"
	cp "$TOP/scripts/check-layers" "$T/tree/scripts/"
}

# expect_layers_fail REGEX: the checker refuses the copy, saying REGEX
expect_layers_fail() {
	( cd "$T/tree" && scripts/check-layers ) >"$T/out" 2>"$T/err" &&
		fail "check-layers accepted a tree with: $1"
	grep -Eq -- "$1" "$T/err" || fail "check-layers did not say /$1/: $(head -c 400 "$T/err")"
}

t_layers_check() {
	( cd "$TOP" && scripts/check-layers ) >"$T/out" 2>"$T/err" ||
		fail "the tree breaks its layers: $(head -c 600 "$T/err")"
	grep -q 'no cycle, no upward include' "$T/out" || fail "no verdict: $(cat "$T/out")"

	fresh; plant lib/base/ctx.c '#include "keeper/keeper.h"'
	expect_layers_fail 'lib/base/ctx.c:[0-9]+: base \(layer 0\) includes "keeper/keeper.h"'

	fresh; plant lib/kernel/nft.c '#include "kernel/nftfile.h"'
	touch "$T/tree/lib/kernel/nftfile.h"
	expect_layers_fail 'include cycle among kernel/nft, kernel/nftfile'

	fresh; plant lib/net/hub.c '#include "ports/forward.h"'
	expect_layers_fail 'lib/net/hub.c:[0-9]+: net includes "ports/forward.h" of ports, a folder of the same layer'

	fresh; plant lib/client/cell.c '#include "keeper/keeper_int.h"'
	expect_layers_fail 'the client includes keeper internals "keeper/keeper_int.h"'

	fresh; plant cli/main.c '#include "base/ctx.h"'
	expect_layers_fail 'cli/main.c:[0-9]+: front end includes internal "base/ctx.h"'

	fresh; plant lib/fw/fwgen.c '#include "fw/nosuch.h"'
	expect_layers_fail 'names no file of the project'

	fresh; echo 'int x;' > "$T/tree/lib/stray.c"
	expect_layers_fail 'lib/stray.c: outside every layer folder'
}
