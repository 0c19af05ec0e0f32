# dmm-send: crafting, injection and probe tests (pcap checks, live --expect over veth).

.PHONY: send
CHECK_STAGES += send

send: $(TOOLS)
	$(PYTHON) testcases/send/run_send.py --build $(BUILD)
