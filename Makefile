# Two commands for a newcomer; everything else is in scripts/dev.sh.
.PHONY: run test build tools e2e bench

run:
	@scripts/dev.sh run

test:
	@scripts/dev.sh test

build:
	@scripts/dev.sh build

tools:
	@scripts/dev.sh tools

e2e:
	@scripts/dev.sh e2e

bench:
	@scripts/dev.sh bench
