# Tests and benchmark of the packet tools: dmm-send live path and tshark/scapy cross-check in
# Mininet, the test framework's own unit tests, and the injection speed benchmark.

# The test framework's own tests (testcases/lib) and the dmm-send tests of testcases/tools;
# testcases/tools/test_rr_probe.py runs in its own stage (rrtests).
TOOLTEST_FILES := testcases/lib/test_poll.py testcases/lib/test_capture.py \
	testcases/lib/test_report.py testcases/tools/test_live_send.py \
	testcases/tools/test_send_crosscheck.py
TOOLTEST_RESULTS := results/tools

.PHONY: tooltests bench-send
CHECK_STAGES += tooltests
BENCH_STAGES += bench-send

# pytest with JUnit XML, then the verdict and requirement coverage report of that XML.
tooltests: $(TOOLS)
	@mkdir -p $(TOOLTEST_RESULTS) && rm -f $(TOOLTEST_RESULTS)/junit.xml
	@rc=0; DMM_BUILD=$(BUILD) $(PYTHON) -m pytest -p no:cacheprovider -rs --build=$(BUILD) \
		--junitxml=$(TOOLTEST_RESULTS)/junit.xml $(TOOLTEST_FILES) || rc=$$?; \
	$(PYTHON) ci/report.py --out $(TOOLTEST_RESULTS) $(TOOLTEST_RESULTS)/junit.xml || rc=1; \
	exit $$rc

# Injection speed: dmm-send against scapy sendp, tcpreplay --topspeed and a sendmmsg loop.
bench-send: $(TOOLS) $(BUILD)/testprog/sendmmsg_loop
	$(PYTHON) ci/bench_send.py --build $(BUILD)
