# HAARO return routability: rr-probe (initiator and correspondent router) against itself in the
# Mininet topology topo/rr_topo.py (mobile router, home agent path, correspondent router).
# The lib/cr.c unit tests (testcases/unit/test_cr.c) run in `make unit`.

RR_RESULTS := results/rr

.PHONY: rrtests
CHECK_STAGES += rrtests

# pytest with JUnit XML (requirement ids as testcase properties), then the coverage report.
rrtests: $(BUILD)/rr-probe
	@mkdir -p $(RR_RESULTS)
	@rc=0; DMM_BUILD=$(BUILD) $(PYTHON) -m pytest testcases/tools/test_rr_probe.py \
		-p no:cacheprovider -rs --build $(BUILD) --results $(RR_RESULTS)/runs \
		--junitxml=$(RR_RESULTS)/junit.xml || rc=$$?; \
	if [ -f ci/report.py ]; then \
		$(PYTHON) ci/report.py --out $(RR_RESULTS) $(RR_RESULTS)/junit.xml >/dev/null || rc=1; fi; \
	exit $$rc
