# Data plane (RFC 2473 tunnels, RFC 8278 §4.1 distribution, RA on the access link): the TUN
# backend and lib/ndp.c end to end in test-made network namespaces, driven by dp_peer; JUnit
# XML in results/dataplane/. The pure selection/classification tests (testcases/unit/
# test_dataplane.c) run in `make unit`.

DATAPLANE_RESULTS := results/dataplane

.PHONY: dataplane
CHECK_STAGES += dataplane

dataplane: $(BUILD)/testprog/dp_peer
	@mkdir -p $(DATAPLANE_RESULTS)
	$(PYTHON) testcases/dataplane/run_dataplane.py --build $(BUILD) -rfEs \
		--junitxml=$(DATAPLANE_RESULTS)/junit.xml
