# The Mininet conformance bench of the reference LMA and MAG (RFC 5213, RFC 8278 multipath):
# pytest testcases/conformance with JUnit XML, then the verdict table and the coverage of the
# requirement catalog per document and level (ci/report.py). The per-node pcaps of every test
# stay in results/conformance/<test>/.

CONFORMANCE_RESULTS := results/conformance
CONFORMANCE_PYTEST := DMM_BUILD=$(BUILD) $(PYTHON) -m pytest -p no:cacheprovider -rfEs \
	--build $(BUILD) testcases/conformance
# The fast subset: the Figure 2 call flow, the multipath refusals and the RFC 5213 rejections
# (signaling and pings; no retransmission timers, no bulk traffic).
CONFORMANCE_FAST := (test_callflow or test_refusal or test_rfc5213_rejects) and not full_size

.PHONY: conformance conformance-fast
CHECK_STAGES += conformance-fast

conformance: $(TOOLS)
	@mkdir -p $(CONFORMANCE_RESULTS)
	@rc=0; $(CONFORMANCE_PYTEST) --junitxml=$(CONFORMANCE_RESULTS)/junit.xml || rc=$$?; \
	$(PYTHON) ci/report.py --out $(CONFORMANCE_RESULTS) $(CONFORMANCE_RESULTS)/junit.xml || rc=1; \
	exit $$rc

conformance-fast: $(TOOLS)
	@mkdir -p $(CONFORMANCE_RESULTS)
	@rc=0; $(CONFORMANCE_PYTEST) -k "$(CONFORMANCE_FAST)" \
		--junitxml=$(CONFORMANCE_RESULTS)/junit-fast.xml || rc=$$?; \
	$(PYTHON) ci/report.py --name report-fast --out $(CONFORMANCE_RESULTS) \
		$(CONFORMANCE_RESULTS)/junit-fast.xml || rc=1; \
	exit $$rc
