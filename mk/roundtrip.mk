# JSON round trip (dmm-send --json): every golden capture decoded with -T json, rebuilt by
# lib/json_build.c (helper program, and dmm-send --json when built), compared octet by octet.
# The rebuild's libFuzzer target (fuzz_json_build) runs in fuzz-check, seeded with the golden JSON.

.PHONY: roundtrip
CHECK_STAGES += roundtrip

roundtrip: $(TOOLS) $(BUILD)/testprog/json_rebuild
	$(PYTHON) testcases/roundtrip/run_roundtrip.py --build $(BUILD) --tool all
