# The two commands of the README; everything else is in scripts/.
.PHONY: start test build bench package component
start:          ## build pkg/ and serve the www/ console
	scripts/start.sh
test:           ## run every test
	scripts/test.sh
bench:          ## run the benchmarks in Deno and headless Chromium
	scripts/bench.sh
build:          ## build pkg/ and print its sizes
	scripts/build.sh
package:        ## build the npm tarball into dist/
	scripts/package.sh
component:      ## build the WebAssembly component and print its path and sizes
	scripts/component.sh
