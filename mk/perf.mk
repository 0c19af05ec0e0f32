# LMA performance over veth (RFC 5213 §5.3 PBU processing with RFC 4285 authentication, and
# attach-to-first-packet through the RFC 2473 tunnel): the real dmmd driven by dmm-send in
# test-made namespaces, with the in-process figure of testprog/bench_lma as a reference row.
# Writes results/bench/lma.md and results/bench/lma.json.

.PHONY: bench-lma
BENCH_STAGES += bench-lma

bench-lma: $(TOOLS) $(BUILD)/testprog/bench_lma
	$(PYTHON) ci/bench_lma.py --build $(BUILD) --out results/bench \
		--inprocess $(BUILD)/testprog/bench_lma
