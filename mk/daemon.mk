# Daemon core (dmmd): in-process benchmark of the LMA's PBU processing (RFC 5213 §5.3 with
# RFC 4285 authentication) for 10k and 100k distinct mobile nodes. The daemon's unit tests
# (test_ev, test_conf, test_ctl, test_bcache, test_lma, test_mag) run with `make unit`.

.PHONY: bench-lma-inproc
BENCH_STAGES += bench-lma-inproc

bench-lma-inproc: $(BUILD)/testprog/bench_lma
	$(BUILD)/testprog/bench_lma 10000 100000
