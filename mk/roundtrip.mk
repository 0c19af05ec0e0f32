# JSON round trip (dmm-send --json): every golden capture decoded with -T json, rebuilt by
# lib/json_build.c (helper program, and dmm-send --json when built), compared octet by octet;
# and the rebuild's libFuzzer target, seeded with the golden JSON and its checked-in corpus
# (reproducers of past findings), for FUZZ_SECONDS.

.PHONY: roundtrip fuzz-json
CHECK_STAGES += roundtrip fuzz-json

roundtrip: $(TOOLS) $(BUILD)/testprog/json_rebuild
	$(PYTHON) testcases/roundtrip/run_roundtrip.py --build $(BUILD) --tool all

FUZZ_JSON_SEEDS := $(FUZZ_BUILD)/seeds/fuzz_json_build
FUZZ_JSON_CORPUS := $(FUZZ_BUILD)/corpus/fuzz_json_build
fuzz-json: fuzz
	@rm -rf $(FUZZ_JSON_SEEDS) && mkdir -p $(FUZZ_JSON_SEEDS) $(FUZZ_JSON_CORPUS) \
		$(FUZZ_BUILD)/artifacts/fuzz_json_build
	@awk -v d=$(FUZZ_JSON_SEEDS) '{f = sprintf("%s/seed-%05d", d, NR); print > f; close(f)}' \
		pcaps/expected/*.json
	$(FUZZ_BUILD)/fuzz_json_build -runs=0 -timeout=5 \
		-artifact_prefix=$(FUZZ_BUILD)/artifacts/fuzz_json_build/ $(FUZZ_JSON_SEEDS) \
		testcases/fuzz/corpus/fuzz_json_build
	$(FUZZ_BUILD)/fuzz_json_build -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=5 \
		-rss_limit_mb=2048 -artifact_prefix=$(FUZZ_BUILD)/artifacts/fuzz_json_build/ \
		$(FUZZ_JSON_CORPUS) $(FUZZ_JSON_SEEDS) testcases/fuzz/corpus/fuzz_json_build
