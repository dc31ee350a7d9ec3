# The two commands of the README; everything else is in scripts/.
.PHONY: start test build
start:          ## build pkg/ and serve the www/ console
	scripts/start.sh
test:           ## run every test
	scripts/test.sh
build:          ## build pkg/ and print its sizes
	scripts/build.sh
